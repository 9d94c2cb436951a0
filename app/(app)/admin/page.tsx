import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { NotPlatformAdminError, tenantOverview } from "@/db";
import { formatStart } from "@/lib/format";
import { requireTenant } from "@/lib/auth/session";
import { Card, DataTable, EmptyState, PageHeader, Pagination, Td, TextLink, Th } from "@/components/ui";
import { RevokeSessionsForm } from "./revoke-sessions-form";

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
      <PageHeader
        title="Platform admin: tenants"
        description="Every tenant, across the platform. This visit was recorded in the platform audit log."
      />
      {overview.rows.length === 0 ? (
        <EmptyState>No tenants.</EmptyState>
      ) : (
        <DataTable
          data-testid="admin-tenants"
          head={
            <>
              <Th>Tenant</Th>
              <Th numeric>Members</Th>
              <Th numeric>Agents</Th>
              <Th numeric>Conversations</Th>
              <Th>Last conversation</Th>
              <Th>Created</Th>
            </>
          }
        >
          {overview.rows.map((t) => (
            <tr key={t.id} data-testid="admin-tenant-row">
              <Td>
                <div className="font-medium">{t.name}</div>
                <div className="font-mono text-xs text-slate-500">{t.slug}</div>
              </Td>
              <Td numeric>{t.members}</Td>
              <Td numeric>{t.agents}</Td>
              <Td numeric>{t.conversations}</Td>
              <Td date>{t.lastConversationAt ? formatStart(t.lastConversationAt) : "—"}</Td>
              <Td date>{formatStart(t.createdAt)}</Td>
            </tr>
          ))}
        </DataTable>
      )}
      <Pagination
        newer={afterSlug ? <TextLink href="/admin">← First</TextLink> : null}
        older={overview.nextSlug ? <TextLink href={`/admin?after=${overview.nextSlug}`}>Next →</TextLink> : null}
      />
      <Card
        title="Revoke sessions"
        headingId="revoke-heading"
        description="Signs an account out everywhere, on every instance, at its next request. Recorded in the platform audit log."
      >
        <RevokeSessionsForm />
      </Card>
    </div>
  );
}
