import type { Metadata } from "next";
import { listApiKeys } from "@/features/api-keys/store";
import { formatStart } from "@/lib/format";
import { can } from "@/lib/permissions";
import { requireTenant, withSessionTenant } from "@/lib/auth/session";
import { DataTable, EmptyState, PageHeader, Td, Th } from "@/components/ui";
import { CreateKeyForm } from "./create-key-form";
import { RevokeKeyButton } from "./revoke-key-button";

export const metadata: Metadata = { title: "API keys" };

export default async function ApiKeysPage() {
  const session = await requireTenant("apiKeys.read");
  const keys = await withSessionTenant(session, (tx) => listApiKeys(tx, session.tenantId));
  return (
    <div className="space-y-6">
      <PageHeader
        title="API keys"
        description={
          <>
            A key gives an agent or integration access to {session.tenantName}&apos;s data, and nothing else: the ingest
            API (<code>/api/v1</code>), read-only agent SQL (<code>/api/agent/sql</code>) and the MCP server (
            <code>/api/mcp</code>). Send it as <code>Authorization: Bearer &lt;key&gt;</code>.
          </>
        }
      />
      {can(session.role, "apiKeys.create") ? <CreateKeyForm /> : null}
      {keys.length === 0 ? (
        <EmptyState>No API keys yet.</EmptyState>
      ) : (
        <DataTable
          data-testid="api-key-list"
          head={
            <>
              <Th>Name</Th>
              <Th>Key</Th>
              <Th>Created</Th>
              <Th>Last used</Th>
              <Th />
            </>
          }
        >
          {keys.map((k) => (
            <tr key={k.id} data-testid="api-key-row">
              <Td className="font-medium">{k.name}</Td>
              <Td>
                <code className="font-mono text-xs">{k.prefix}…</code>
              </Td>
              <Td date>{formatStart(k.createdAt)}</Td>
              <Td date>{k.lastUsedAt ? formatStart(k.lastUsedAt) : "Never"}</Td>
              <Td className="text-right">
                {k.revokedAt ? (
                  <span className="text-xs text-slate-500">Revoked {formatStart(k.revokedAt)}</span>
                ) : can(session.role, "apiKeys.revoke") ? (
                  <RevokeKeyButton id={k.id} name={k.name} />
                ) : null}
              </Td>
            </tr>
          ))}
        </DataTable>
      )}
    </div>
  );
}
