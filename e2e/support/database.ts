import postgres from "postgres";

/**
 * Direct database connections for what a test must read or arrange behind the app's back. npm test
 * passes both URLs (scripts/test.ts). Each call opens one connection: end it when done.
 */

/** The BYPASSRLS platform_admin role (reads every tenant): the truth a test compares pages with, and another tenant's real ids and text. */
export function adminConnection() {
  const url = process.env.E2E_ADMIN_DATABASE_URL;
  if (!url) throw new Error("E2E_ADMIN_DATABASE_URL is set by npm test");
  return postgres(url, { max: 1 });
}

/** The owner (bypasses RLS, may write): for tests that must set up or break data, e.g. scratch workspaces or a removed membership. */
export function ownerConnection() {
  const url = process.env.E2E_OWNER_DATABASE_URL;
  if (!url) throw new Error("E2E_OWNER_DATABASE_URL is set by npm test");
  return postgres(url, { max: 1, onnotice: () => undefined });
}
