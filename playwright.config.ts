import { defineConfig } from "@playwright/test";

// Run by `npm test`, which builds and starts the app on its own database and sets E2E_BASE_URL.
// Browser downloads do not work everywhere, so the system Chromium is used (CHROMIUM_PATH).
export default defineConfig({
  testDir: "./e2e",
  fullyParallel: true,
  workers: 3,
  retries: 0,
  // Generous for a busy 2-core machine shared by several runs (load 20+ seen): a sign-in (bcrypt in
  // PostgreSQL, a server action, a redirect) then takes over 5 s, a test with three of them over 30 s.
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: [["list"], ["json", { outputFile: "test-results/e2e.json" }]],
  use: {
    baseURL: process.env.E2E_BASE_URL ?? "http://127.0.0.1:3000",
    trace: "off",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [
    // Each demo user signs in through the UI once per run; tests take copies of the stored sessions
    // with asUser() (e2e/support/test.ts).
    { name: "demo-sessions", testMatch: /demo-sessions\.setup\.ts$/, use: { browserName: "chromium" } },
    { name: "chromium", dependencies: ["demo-sessions"], use: { browserName: "chromium" } },
  ],
});
