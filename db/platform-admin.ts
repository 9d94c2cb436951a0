import { eq, sql } from "drizzle-orm";
import { drizzleOn, rawPool } from "./client";
import { platformAuditEvents, users } from "./schema";
import { withUser } from "./tenant";

/**
 * The cross-tenant view for platform operators. It uses the platform_admin role (BYPASSRLS) on its
 * own pool, and only after an app-level check of users.is_platform_admin read from the database on
 * every call (the flag is set by `npm run admin`, never by the UI, and never trusted from a session).
 * Every access is recorded in platform_audit_events in the same transaction as the read: no record,
 * no data.
 */
export class NotPlatformAdminError extends Error {
  constructor() {
    super("Not a platform admin.");
    this.name = "NotPlatformAdminError";
  }
}

export async function isPlatformAdmin(userId: string): Promise<boolean> {
  const rows = await withUser(userId, (tx) =>
    tx.select({ flag: users.isPlatformAdmin }).from(users).where(eq(users.id, userId)),
  );
  return rows[0]?.flag === true;
}

type AdminDatabase = ReturnType<typeof drizzleOn>;
type AdminTx = Parameters<Parameters<AdminDatabase["transaction"]>[0]>[0];

let adminDb: AdminDatabase | undefined;

async function asPlatformAdmin<T>(
  userId: string,
  action: string,
  metadata: Record<string, unknown>,
  fn: (tx: AdminTx) => Promise<T>,
): Promise<T> {
  if (!(await isPlatformAdmin(userId))) throw new NotPlatformAdminError();
  adminDb ??= drizzleOn(rawPool("platform_admin"));
  return adminDb.transaction(async (tx) => {
    await tx.insert(platformAuditEvents).values({ actorUserId: userId, action, metadata });
    return fn(tx);
  });
}

export const tenantOverviewPageSize = 100;

export interface TenantOverviewRow {
  id: string;
  slug: string;
  name: string;
  createdAt: Date;
  members: number;
  agents: number;
  conversations: number;
  lastConversationAt: Date | null;
}

/** Every tenant with its counts, by slug, keyset-paginated (`afterSlug`). */
export async function tenantOverview(userId: string, afterSlug: string | null) {
  const rows = await asPlatformAdmin(userId, "admin.tenants_viewed", { afterSlug }, (tx) =>
    tx.execute<{
      id: string;
      slug: string;
      name: string;
      created_at: Date;
      members: number;
      agents: number;
      conversations: number;
      last_conversation_at: Date | null;
    }>(sql`
      -- The page of tenants first, then the counts of its tenants grouped per tenant: on Citus, agents and
      -- conversations are distributed and tenants is not, and Citus plans neither a correlated subquery
      -- nor a direct join between the two (docs/scale-out.md).
      with page as (
        select t.id, t.slug, t.name, t.created_at from tenants t
        where ${afterSlug}::text is null or t.slug > ${afterSlug}
        order by t.slug
        limit ${tenantOverviewPageSize + 1}
      )
      select p.id, p.slug, p.name, p.created_at,
             (select count(*) from memberships m where m.tenant_id = p.id)::int as members,
             coalesce(a.n, 0)::int as agents,
             coalesce(c.n, 0)::int as conversations,
             c.last_at as last_conversation_at
      from page p
      left join (select tenant_id, count(*) as n from agents where tenant_id in (select id from page) group by tenant_id) a
        on a.tenant_id = p.id
      left join (select tenant_id, count(*) as n, max(started_at) as last_at from conversations
                 where tenant_id in (select id from page) group by tenant_id) c
        on c.tenant_id = p.id
      order by p.slug`),
  );
  const page: TenantOverviewRow[] = rows.slice(0, tenantOverviewPageSize).map((r) => ({
    id: r.id,
    slug: r.slug,
    name: r.name,
    createdAt: new Date(r.created_at),
    members: r.members,
    agents: r.agents,
    conversations: r.conversations,
    lastConversationAt: r.last_conversation_at ? new Date(r.last_conversation_at) : null,
  }));
  return { rows: page, nextSlug: rows.length > tenantOverviewPageSize ? (page.at(-1)?.slug ?? null) : null };
}

/** Ends every session of the account with this email, wherever it was copied; how many ended. */
export async function revokeSessionsOf(userId: string, email: string): Promise<number> {
  const [row] = await asPlatformAdmin(userId, "admin.sessions_revoked", { email }, (tx) =>
    tx.execute<{ ended: number }>(sql`select app.revoke_sessions_of(${email}) as ended`),
  );
  return row?.ended ?? 0;
}
