import { randomBytes } from "node:crypto";
import type { Browser, BrowserContext, Page } from "@playwright/test";
import { decode, encode } from "next-auth/jwt";
import { dropPrefetches, sessionCookie, sessionCookieName } from "./support/browser-session";
import { adminConnection, ownerConnection } from "./support/database";
import { demoPassword, demoUsers } from "./support/demo-users";
import { signInThroughUi } from "./support/sign-in";
import { expectNoDataOf, tenantFingerprint, type TenantFingerprint } from "./support/tenant-data";
import { expect, openStoredSession, test } from "./support/test";

/**
 * Cross-tenant attempts in a real browser against the real app. Alice (tenant A, acme-health) holds
 * real data of Bob's tenant (B, globex-realty): conversation ids and names read with the BYPASSRLS
 * admin role, and a pagination cursor taken from Bob's own page by Bob's own session. Every attempt
 * must end in a 404, the sign-in page, the no-access page or Alice's own data, with none of B's data
 * anywhere in the response (HTML as served, the rendered DOM, JSON).
 *
 * One table of cases per surface. A new surface (search, exports, API, agent SQL) adds its cases
 * under its own key in `surfaces`.
 */

/** How an attempt must end. Whatever the outcome, none of B's data may appear. */
type Outcome =
  | "not-found" // 404, identical to a missing id
  | "signed-out" // treated as no session: the sign-in page
  | "no-access" // signed in, but no tenant: neither A's nor B's data
  | "own-data-only"; // the request is served, for A's own tenant only

/** What came back: final status, URL and content type, and every form of the body to search for B's data. */
interface Seen {
  /** The URL the attempt asked for: B's identifiers the attacker put there may be echoed back. */
  asked: string;
  status: number;
  url: string;
  contentType: string;
  bodies: string[];
}

interface Kit {
  browser: Browser;
  /** Alice's tenant. */
  own: TenantFingerprint;
  /** Bob's tenant: the target. */
  foreign: TenantFingerprint;
  /** The `?after=` value on Bob's first page, taken by Bob's own session. */
  foreignCursor: string;
  foreignUserId: string;
  /** A new browser context holding a copy of Alice's stored session, prefetches dropped (closed after the case). */
  alice(): Promise<{ context: BrowserContext; page: Page }>;
  /**
   * A new browser context in which Alice signs in through the UI, prefetches dropped (closed after
   * the case): for a case that signs out, which must never happen in a copy of the shared session.
   */
  aliceSignedInThroughUi(): Promise<{ context: BrowserContext; page: Page }>;
}

interface CrossTenantCase {
  name: string;
  outcome: Outcome;
  attempt(kit: Kit): Promise<Seen>;
}

const alice = demoUsers.alice;
const bob = demoUsers.bob;

async function visit(page: Page, url: string): Promise<Seen> {
  const response = await page.goto(url);
  if (!response) throw new Error(`no response for ${url}`);
  const contentType = (await response.headerValue("content-type")) ?? "";
  return {
    asked: url,
    status: response.status(),
    url: page.url(),
    contentType,
    bodies: [await response.text(), await page.content()],
  };
}

async function fetchAs(page: Page, url: string, headers: Record<string, string> = {}): Promise<Seen> {
  const response = await page.request.get(url, { headers });
  return {
    asked: url,
    status: response.status(),
    url: response.url(),
    contentType: response.headers()["content-type"] ?? "",
    bodies: [await response.text()],
  };
}

/** Changes characters in the middle of the cookie value (the JWE ciphertext), keeping its length and alphabet. */
function flipCharacters(value: string): string {
  const chars = [...value];
  for (let i = Math.floor(chars.length / 2); i < Math.floor(chars.length / 2) + 4; i++)
    chars[i] = chars[i] === "A" ? "B" : "A";
  return chars.join("");
}

async function withCookie(context: BrowserContext, value: string) {
  const cookie = await sessionCookie(context);
  await context.addCookies([{ ...cookie, value }]);
}

const surfaces: Record<string, CrossTenantCase[]> = {
  pages: [
    {
      name: "B's conversation by its real id",
      outcome: "not-found",
      attempt: async (k) => visit((await k.alice()).page, `/conversations/${k.foreign.conversationIds[0]}`),
    },
    {
      name: "B's conversation id in upper case",
      outcome: "not-found",
      attempt: async (k) =>
        visit((await k.alice()).page, `/conversations/${k.foreign.conversationIds[1]!.toUpperCase()}`),
    },
    {
      name: "B's conversation with B's tenant named in the query string",
      outcome: "not-found",
      attempt: async (k) =>
        visit(
          (await k.alice()).page,
          `/conversations/${k.foreign.conversationIds[2]}?tenant=${k.foreign.slug}&tenantId=${k.foreign.id}&activeTenantId=${k.foreign.id}`,
        ),
    },
    {
      name: "B's conversation as the React Server Components payload a client navigation fetches",
      outcome: "not-found",
      attempt: async (k) =>
        fetchAs((await k.alice()).page, `/conversations/${k.foreign.conversationIds[3]}`, { RSC: "1" }),
    },
    {
      name: "the conversation list with B's tenant named in the query string",
      outcome: "own-data-only",
      attempt: async (k) =>
        visit(
          (await k.alice()).page,
          `/conversations?tenant=${k.foreign.slug}&tenantId=${k.foreign.id}&activeTenantId=${k.foreign.id}`,
        ),
    },
  ],

  "pagination cursors": [
    {
      name: "B's real cursor, taken from B's own first page",
      outcome: "own-data-only",
      attempt: async (k) => visit((await k.alice()).page, `/conversations?after=${k.foreignCursor}`),
    },
    {
      name: "a cursor built from B's newest conversation id, positioned in the future",
      outcome: "own-data-only",
      attempt: async (k) => {
        const forged = Buffer.from(`2100-01-01T00:00:00.000Z|${k.foreign.conversationIds[0]}`, "utf8").toString(
          "base64url",
        );
        return visit((await k.alice()).page, `/conversations?after=${forged}`);
      },
    },
  ],

  "server actions": [
    {
      name: "the sign-in form with forged fields naming B's tenant and user and redirecting into B's conversation",
      outcome: "own-data-only",
      attempt: async (k) => {
        const context = await k.browser.newContext();
        const page = await context.newPage();
        await page.goto("/login");
        const forged = {
          tenantId: k.foreign.id,
          activeTenantId: k.foreign.id,
          tenant: k.foreign.slug,
          userId: k.foreignUserId,
          redirectTo: `/conversations/${k.foreign.conversationIds[0]}`,
          callbackUrl: `/conversations/${k.foreign.conversationIds[0]}`,
        };
        await page.locator("form").evaluate((form, fields) => {
          for (const [name, value] of Object.entries(fields)) {
            const input = document.createElement("input");
            input.type = "hidden";
            input.name = name;
            input.value = value;
            form.appendChild(input);
          }
        }, forged);
        await page.getByLabel("Email").fill(alice);
        await page.getByLabel("Password").fill(demoPassword);
        await page.getByRole("button", { name: "Sign in" }).click();
        await expect(page).toHaveURL(/\/conversations$/);
        const seen = await visit(page, "/conversations");
        await context.close();
        return seen;
      },
    },
  ],

  "route handlers": [
    {
      name: "the Auth.js session endpoint describes A's own session only",
      outcome: "own-data-only",
      attempt: async (k) => fetchAs((await k.alice()).page, "/api/auth/session"),
    },
  ],

  "session cookie": [
    {
      name: "a tampered session cookie (characters flipped)",
      outcome: "signed-out",
      attempt: async (k) => {
        const { context, page } = await k.alice();
        await withCookie(context, flipCharacters((await sessionCookie(context)).value));
        return visit(page, `/conversations/${k.foreign.conversationIds[0]}`);
      },
    },
    {
      name: "a truncated session cookie",
      outcome: "signed-out",
      attempt: async (k) => {
        const { context, page } = await k.alice();
        const value = (await sessionCookie(context)).value;
        await withCookie(context, value.slice(0, value.length - 10));
        return visit(page, "/conversations");
      },
    },
    {
      name: "an unsigned token naming B's user and tenant",
      outcome: "signed-out",
      attempt: async (k) => {
        const { context, page } = await k.alice();
        const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
        const claims = {
          sub: k.foreignUserId,
          userId: k.foreignUserId,
          activeTenantId: k.foreign.id,
          exp: Math.floor(Date.now() / 1000) + 3600,
        };
        await withCookie(context, `${part({ alg: "none", typ: "JWT" })}.${part(claims)}.`);
        return visit(page, "/conversations");
      },
    },
    {
      name: "a validly signed session naming B's tenant, of which A is not a member (switching tenant without membership)",
      outcome: "no-access",
      attempt: async (k) => {
        // Made with the server's own AUTH_SECRET: the cookie is genuine, only the membership check stands in the way.
        const secret = process.env.AUTH_SECRET;
        if (!secret) throw new Error("AUTH_SECRET is set by npm test");
        const { context, page } = await k.alice();
        const current = (await sessionCookie(context)).value;
        const claims = await decode({ token: current, secret, salt: sessionCookieName });
        const reissue = (activeTenantId: string) =>
          encode({ token: { ...claims, activeTenantId }, secret, salt: sessionCookieName });
        // Control: the same re-issued cookie naming A's own tenant is accepted.
        await withCookie(context, await reissue(k.own.id));
        expect((await visit(page, "/conversations")).bodies[1]).toContain(k.own.name);
        await withCookie(context, await reissue(k.foreign.id));
        return visit(page, "/conversations");
      },
    },
    {
      // Sign-out deletes the session row the cookie names: a copy taken before is refused (e2e/sessions.spec.ts
      // shows it on two server instances).
      name: "a session cookie replayed after sign-out is refused",
      outcome: "signed-out",
      attempt: async (k) => {
        const { context, page } = await k.aliceSignedInThroughUi();
        const copy = await sessionCookie(context);
        await page.goto("/conversations");
        // Sign out is in the account menu of the header.
        await page.getByTestId("user-menu").click();
        await page.getByRole("button", { name: "Sign out" }).click();
        await expect(page).toHaveURL(/\/login/);
        expect(
          (await context.cookies()).some((c) => c.name === sessionCookieName),
          "sign-out clears the cookie",
        ).toBe(false);
        await context.addCookies([copy]);
        return visit(page, "/conversations");
      },
    },
  ],

  membership: [
    {
      name: "a session whose membership was removed after sign-in",
      outcome: "no-access",
      attempt: async (k) => {
        const owner = ownerConnection();
        const email = `removed-${randomBytes(4).toString("hex")}@acme.test`;
        const context = await k.browser.newContext();
        try {
          const [user] = await owner<{ id: string }[]>`
            insert into users (email, name, password_hash) values (${email}, 'Removed Member', app_private.hash_password(${demoPassword})) returning id`;
          await owner`insert into memberships (tenant_id, user_id, role) values (${k.own.id}, ${user!.id}, 'member')`;
          const page = await context.newPage();
          await signInThroughUi(page, email);
          // Control: the same session read A's data while the membership existed.
          await expect(page.getByTestId("tenant-name")).toHaveText(k.own.name);
          await owner`delete from memberships where user_id = ${user!.id}`;
          return await visit(page, "/conversations");
        } finally {
          await context.close();
          await owner`delete from memberships where user_id in (select id from users where email = ${email})`;
          await owner`delete from users where email = ${email}`;
          await owner.end();
        }
      },
    },
  ],
};

let own: TenantFingerprint;
let foreign: TenantFingerprint;
let foreignCursor = "";
let foreignUserId = "";

test.beforeAll(async ({ browser }) => {
  test.setTimeout(120_000); // the fingerprints and Bob's first page, on a machine that may be busy
  [own, foreign] = await Promise.all([tenantFingerprint("acme-health"), tenantFingerprint("globex-realty")]);
  const admin = adminConnection();
  try {
    const [user] = await admin<{ id: string }[]>`select id from users where email = ${bob}`;
    foreignUserId = user!.id;
  } finally {
    await admin.end();
  }
  // B's cursor, as B's own session sees it.
  const asBob = await openStoredSession(browser, "bob");
  await asBob.goto("/conversations");
  const href = await asBob.getByTestId("next-page").getAttribute("href");
  foreignCursor = new URL(href!, "http://x").searchParams.get("after")!;
  expect(foreignCursor).toBeTruthy();
  await asBob.context().close();
});

// Control: the strings the cases look for are really rendered where B's data is shown, so their absence means something.
test("control: B's own session is shown the B data the cases look for", async ({ asUser }) => {
  const page = await asUser("bob");
  const list = (await visit(page, "/conversations")).bodies.join("\n");
  const detail = (await visit(page, `/conversations/${foreign.conversationIds[0]}`)).bodies.join("\n");
  const shown = foreign.secrets.filter((s) => list.includes(s) || detail.includes(s));
  expect(shown).toContain(foreign.name);
  expect(shown.length, "agent names, headlines and transcript lines of B appear on B's pages").toBeGreaterThan(50);
});

function expectOutcome(outcome: Outcome, seen: Seen) {
  const path = new URL(seen.url).pathname;
  const body = seen.bodies.join("\n");
  switch (outcome) {
    case "not-found":
      // An RSC payload is streamed with status 200 and carries the 404 as an error digest.
      if (seen.contentType.startsWith("text/x-component")) expect(body).toContain("NEXT_HTTP_ERROR_FALLBACK;404");
      else expect(seen.status).toBe(404);
      break;
    case "signed-out":
      expect(path).toBe("/login");
      expect(body).toContain("Sign in");
      break;
    case "no-access":
      expect(path).toBe("/no-access");
      expect(body).toContain("No access to this workspace");
      expectNoDataOf(own, body, "the no-access page");
      break;
    case "own-data-only":
      expect(seen.status).toBe(200);
      expect(body.includes(own.name) || body.includes(own.id), "the response is for A's own tenant").toBe(true);
      break;
  }
}

for (const [surface, cases] of Object.entries(surfaces)) {
  test.describe(surface, () => {
    for (const c of cases) {
      test(`${c.name} → ${c.outcome}`, async ({ browser, asUser }) => {
        const contexts: BrowserContext[] = [];
        const kit: Kit = {
          browser,
          own,
          foreign,
          foreignCursor,
          foreignUserId,
          alice: async () => {
            const page = await asUser("alice");
            await dropPrefetches(page.context());
            return { context: page.context(), page };
          },
          aliceSignedInThroughUi: async () => {
            const context = await browser.newContext();
            contexts.push(context);
            await dropPrefetches(context);
            const page = await context.newPage();
            await signInThroughUi(page, alice);
            return { context, page };
          },
        };
        try {
          const seen = await c.attempt(kit);
          expectOutcome(c.outcome, seen);
          for (const [i, body] of seen.bodies.entries()) {
            expectNoDataOf(foreign, body, `${seen.url} (${i === 0 ? "as served" : "rendered"})`, {
              except: decodeURIComponent(seen.asked),
            });
          }
        } finally {
          await Promise.all(contexts.map((context) => context.close()));
        }
      });
    }
  });
}
