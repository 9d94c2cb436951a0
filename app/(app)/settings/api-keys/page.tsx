import type { Metadata } from "next";
import { listApiKeys } from "@/features/api-keys/store";
import { formatStart } from "@/lib/format";
import { can } from "@/lib/permissions";
import { requireTenant, withSessionTenant } from "@/lib/auth/session";
import { CreateKeyForm } from "./create-key-form";
import { RevokeKeyButton } from "./revoke-key-button";

export const metadata: Metadata = { title: "API keys" };

export default async function ApiKeysPage() {
  const session = await requireTenant("apiKeys.read");
  const keys = await withSessionTenant(session, (tx) => listApiKeys(tx, session.tenantId));
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-xl font-semibold">API keys</h1>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
          A key gives an agent or integration access to {session.tenantName}&apos;s data, and nothing else: the ingest
          API (<code>/api/v1</code>), read-only agent SQL (<code>/api/agent/sql</code>) and the MCP server (
          <code>/api/mcp</code>). Send it as <code>Authorization: Bearer &lt;key&gt;</code>.
        </p>
      </div>
      {can(session.role, "apiKeys.create") ? <CreateKeyForm /> : null}
      {keys.length === 0 ? (
        <div className="rounded-xl border border-dashed border-slate-300 p-8 text-center text-slate-600 dark:border-slate-700 dark:text-slate-400">
          No API keys yet.
        </div>
      ) : (
        <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
          <table className="w-full text-left text-sm" data-testid="api-key-list">
            <thead className="border-b border-slate-200 text-slate-500 dark:border-slate-800">
              <tr>
                <th className="px-4 py-2 font-medium">Name</th>
                <th className="px-4 py-2 font-medium">Key</th>
                <th className="px-4 py-2 font-medium">Created</th>
                <th className="px-4 py-2 font-medium">Last used</th>
                <th className="px-4 py-2" />
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
              {keys.map((k) => (
                <tr key={k.id} data-testid="api-key-row">
                  <td className="px-4 py-2 font-medium">{k.name}</td>
                  <td className="px-4 py-2">
                    <code className="font-mono text-xs">{k.prefix}…</code>
                  </td>
                  <td className="px-4 py-2 text-slate-600 dark:text-slate-400">{formatStart(k.createdAt)}</td>
                  <td className="px-4 py-2 text-slate-600 dark:text-slate-400">
                    {k.lastUsedAt ? formatStart(k.lastUsedAt) : "Never"}
                  </td>
                  <td className="px-4 py-2 text-right">
                    {k.revokedAt ? (
                      <span className="text-xs text-slate-500">Revoked {formatStart(k.revokedAt)}</span>
                    ) : can(session.role, "apiKeys.revoke") ? (
                      <RevokeKeyButton id={k.id} name={k.name} />
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
