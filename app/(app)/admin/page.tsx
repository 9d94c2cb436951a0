import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { NotPlatformAdminError, tenantOverview } from "@/db";
import { formatStart } from "@/lib/format";
import { requireTenant } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Platform admin" };

// Cross-tenant, through the BYPASSRLS role: db/platform-admin.ts re-reads the user's flag from the
// database and records the access before it reads anything. Anyone else gets the ordinary 404.
export default async function PlatformAdminPage({
  searchParams,
}: {
  searchParams: Promise<{ after?: string | string[] }>;
}) {
  const session = await requireTenant();
  const { after } = await searchParams;
  const afterSlug = typeof after === "string" && /^[a-z0-9-]{1,63}$/.test(after) ? after : null;
  let overview;
  try {
    overview = await tenantOverview(session.userId, afterSlug);
  } catch (error) {
    if (error instanceof NotPlatformAdminError) notFound();
    throw error;
  }
  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-xl font-semibold">Platform admin: tenants</h1>
        <p className="mt-1 text-sm text-slate-500">
          Every tenant, across the platform. This visit was recorded in the platform audit log.
        </p>
      </div>
      {overview.rows.length === 0 ? (
        <div className="rounded-xl border border-dashed border-slate-300 p-10 text-center text-slate-600 dark:border-slate-700 dark:text-slate-400">
          No tenants.
        </div>
      ) : (
        <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
          <table className="w-full text-left text-sm" data-testid="admin-tenants">
            <thead className="border-b border-slate-200 text-xs uppercase text-slate-500 dark:border-slate-800">
              <tr>
                <th scope="col" className="px-4 py-2">
                  Tenant
                </th>
                <th scope="col" className="px-4 py-2 text-right">
                  Members
                </th>
                <th scope="col" className="px-4 py-2 text-right">
                  Agents
                </th>
                <th scope="col" className="px-4 py-2 text-right">
                  Conversations
                </th>
                <th scope="col" className="px-4 py-2">
                  Last conversation
                </th>
                <th scope="col" className="px-4 py-2">
                  Created
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
              {overview.rows.map((t) => (
                <tr key={t.id} data-testid="admin-tenant-row">
                  <td className="px-4 py-2">
                    <div className="font-medium">{t.name}</div>
                    <div className="font-mono text-xs text-slate-500">{t.slug}</div>
                  </td>
                  <td className="px-4 py-2 text-right tabular-nums">{t.members}</td>
                  <td className="px-4 py-2 text-right tabular-nums">{t.agents}</td>
                  <td className="px-4 py-2 text-right tabular-nums">{t.conversations}</td>
                  <td className="whitespace-nowrap px-4 py-2 text-slate-500">
                    {t.lastConversationAt ? formatStart(t.lastConversationAt) : "—"}
                  </td>
                  <td className="whitespace-nowrap px-4 py-2 text-slate-500">{formatStart(t.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav className="flex justify-between text-sm" aria-label="Pagination">
        {afterSlug ? (
          <Link href="/admin" className="text-indigo-600 hover:underline dark:text-indigo-400">
            ← First
          </Link>
        ) : (
          <span />
        )}
        {overview.nextSlug ? (
          <Link
            href={`/admin?after=${overview.nextSlug}`}
            className="text-indigo-600 hover:underline dark:text-indigo-400"
          >
            Next →
          </Link>
        ) : null}
      </nav>
    </div>
  );
}
