import path from "node:path";

/**
 * The seeded demo accounts (db/seed/demo-accounts.ts), by first name. All share one password.
 *   alice: owner of acme-health         bob: owner of globex-realty
 *   carol: owner of initech-salons      dana: admin in acme-health, member in globex-realty
 */
export const demoUsers = {
  alice: "alice@acme.test",
  bob: "bob@globex.test",
  carol: "carol@initech.test",
  dana: "dana@demo.test",
} as const;

export type DemoUser = keyof typeof demoUsers;

export const demoPassword = "demo-password";

/**
 * Where e2e/demo-sessions.setup.ts leaves each demo user's signed-in browser state for the run (in
 * Playwright's output folder, which every run empties first). Read only through `asUser`.
 */
export function storedSessionFile(user: DemoUser): string {
  return path.join("test-results", "demo-sessions", `${user}.json`);
}
