import { startWireCounter, type WireCounter } from "../bench/wire";
import { derivedRolePassword } from "../db/env";
import { startNextServer, type NextServer } from "../tests/support/servers";
import { bearer, createKeyWithCli } from "./support/api-clients";
import { expect, test } from "./support/test";

/**
 * Round trips to PostgreSQL per request of a real page, counted on the wire: a second server of the
 * same build whose app_user connections go through a proxy that reads the protocol (bench/wire.ts).
 * A page is the session lookup (membership and the user's workspaces: BEGIN, context, both reads and
 * COMMIT in one write) and the page's own reads (one more); the API list is the key's resolution and
 * the list.
 */
let counter: WireCounter;
let server: NextServer;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  const owner = new URL(process.env.DATABASE_URL!);
  counter = await startWireCounter({ host: owner.hostname, port: Number(owner.port) });
  const app = new URL(owner);
  app.port = String(counter.port);
  app.username = "app_user";
  app.password = derivedRolePassword(process.env.TENANT_CONTEXT_SECRET!, "app_user");
  server = await startNextServer({
    env: { ...process.env, APP_DATABASE_URL: app.toString() },
    output: "ignore",
    timeoutMs: 120_000,
  });
});

test.afterAll(async () => {
  server?.stop();
  await counter?.close();
});

/** Round trips per request, over `n` requests after two to warm up (connections open, types learnt). */
async function roundTripsPerRequest(request: () => Promise<{ status(): number }>, n = 5): Promise<number> {
  for (let i = 0; i < 2; i++) expect((await request()).status()).toBe(200);
  counter.reset();
  for (let i = 0; i < n; i++) expect((await request()).status()).toBe(200);
  return counter.counts().roundTrips / n;
}

test("a signed-in page and the API list each take at most 2 round trips to PostgreSQL", async ({ asUser }) => {
  test.setTimeout(120_000);
  // The same host as the first server (cookies ignore the port) and the same AUTH_SECRET: alice's session holds.
  const page = await asUser("alice");
  const get = (path: string) => () => page.request.get(`${server.url}${path}`, { maxRedirects: 0 });
  const list = await page.request.get(`${server.url}/conversations`);
  const detail = /href="(\/conversations\/[0-9a-f-]{36})"/.exec(await list.text())?.[1];
  expect(detail).toBeTruthy();

  const perPage: Record<string, number> = {};
  for (const path of ["/conversations", "/conversations?q=refund", detail!, "/overview"]) {
    perPage[path] = await roundTripsPerRequest(get(path));
  }
  const key = await createKeyWithCli("acme-health", "round trips");
  perPage["/api/v1/conversations"] = await roundTripsPerRequest(() =>
    page.request.get(`${server.url}/api/v1/conversations`, { headers: bearer(key) }),
  );
  for (const [path, roundTrips] of Object.entries(perPage)) {
    expect(roundTrips, `${path}: ${JSON.stringify(perPage)}`).toBeLessThanOrEqual(2);
    expect(roundTrips, `${path}: the counter saw the requests`).toBeGreaterThan(0);
  }
});
