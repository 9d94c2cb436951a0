import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { databaseError } from "./errors";
import { withTenant } from "./tenant";

/**
 * Whether this server can serve requests from its database, checked the way requests use it: one
 * withTenant transaction as app_user (the app pool) with a signed context for a made-up tenant.
 * Ready means: the database answers as app_user, the newest migration this build ships is applied, and
 * the installed context key verifies this server's tokens (installed, and from the same
 * TENANT_CONTEXT_SECRET). Otherwise the reason says which, without secrets.
 */
export type Readiness = { ready: true; role: string; latestMigration: number } | { ready: false; reason: string };

const notInstalledKey = /tenant context key is not installed/;
const badSignature = /invalid tenant context: bad signature/;

function reasonOf(error: unknown): string {
  const info = databaseError(error);
  if (info?.code === "42P01" || info?.code === "3F000" || (info?.code === "42501" && /drizzle/.test(info.message))) {
    return "migrations not applied: run the migrate job";
  }
  if (info && notInstalledKey.test(info.message)) return "tenant context key not installed: run the migrate job";
  if (info && badSignature.test(info.message)) {
    return "the installed tenant context key does not match TENANT_CONTEXT_SECRET: run the migrate job with this secret";
  }
  if (info?.code === "28P01") return "database refused app_user's password: run the migrate job with this secret";
  if (info) return `database error ${info.code}`;
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return `database unreachable (${code})`;
  }
  return "database unreachable";
}

export async function databaseReadiness(expected: { latestMigration: number; timeoutMs: number }): Promise<Readiness> {
  const probeTenant = randomUUID();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Readiness>((resolve) => {
    timer = setTimeout(
      () => resolve({ ready: false, reason: `database did not answer within ${expected.timeoutMs} ms` }),
      expected.timeoutMs,
    );
  });
  const check = withTenant(probeTenant, async (tx) => {
    const [row] = await tx.execute<{ role: string; tenant: string | null; latest: string | null }>(
      sql`select current_user as role, app.current_tenant_id()::text as tenant,
                 (select max(created_at) from drizzle.__drizzle_migrations)::text as latest`,
    );
    return row;
  }).then(
    (row): Readiness => {
      const latest = Number(row?.latest ?? 0);
      if (row?.tenant !== probeTenant) return { ready: false, reason: "the tenant context did not verify" };
      if (latest < expected.latestMigration) {
        return {
          ready: false,
          reason: `migrations pending: the database is at ${latest}, this build needs ${expected.latestMigration}`,
        };
      }
      return { ready: true, role: row.role, latestMigration: latest };
    },
    (error: unknown): Readiness => ({ ready: false, reason: reasonOf(error) }),
  );
  try {
    return await Promise.race([check, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
