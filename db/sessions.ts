import { sql, type SQL } from "drizzle-orm";
import type { TenantTx } from "./tenant";

/**
 * Server-side sessions (drizzle/0016): the session cookie names a row in app_private.sessions, which
 * no runtime role can read; these definer calls act on the signed context's user only, so each runs
 * inside withUser/withTenant with the user in the context.
 */

/** A new session for the context's user, ending at the latest `absoluteSeconds` from now; its id. */
export async function openSessionRow(tx: TenantTx, absoluteSeconds: number): Promise<string> {
  const [row] = await tx.execute<{ id: string }>(sql`select app.open_session(${absoluteSeconds}) as id`);
  if (!row?.id) throw new Error("app.open_session returned no id");
  return row.id;
}

/**
 * A column expression: true while the context user's session is alive, sliding it. It goes into a
 * statement the request runs anyway (the membership lookup), so the check costs no round trip.
 */
export function sessionAlive(sessionId: string, idleSeconds: number): SQL<boolean> {
  return sql<boolean>`app.touch_session(${sessionId}::uuid, ${idleSeconds}::integer)`;
}

/** Sign-out: ends this session of the context's user. */
export async function endSession(tx: TenantTx, sessionId: string): Promise<void> {
  await tx.execute(sql`select app.end_session(${sessionId}::uuid)`);
}

/** Ends every session of the context's user but `keep`; how many ended. */
export async function endOtherSessions(tx: TenantTx, keep: string): Promise<number> {
  const [row] = await tx.execute<{ ended: number }>(sql`select app.end_other_sessions(${keep}::uuid) as ended`);
  return row?.ended ?? 0;
}
