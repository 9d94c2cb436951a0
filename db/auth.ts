import { sql } from "drizzle-orm";
import { drizzleOn, rawPool } from "./client";

/**
 * Sign-in runs before any tenant or user is known, so it cannot use a tenant context. It calls the
 * one narrow function made for it: app.authenticate() checks the bcrypt hash inside PostgreSQL and
 * returns the user's id or NULL. app_user has no grant on password hashes.
 */
export async function authenticate(email: string, password: string): Promise<string | null> {
  const rows = await drizzleOn(rawPool("app_user")).execute<{ user_id: string | null }>(
    sql`select app.authenticate(${email}, ${password}) as user_id`,
  );
  return rows[0]?.user_id ?? null;
}
