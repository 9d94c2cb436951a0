import { randomUUID } from "node:crypto";
import type { Browser, BrowserContext } from "@playwright/test";
import { invite } from "./support/accounts";
import { appRoutes, dynamicSegments } from "./support/app-routes";
import { ownerConnection } from "./support/database";
import { createWorkspace, type Workspace } from "./support/scratch-workspaces";
import { directives, expectSecurityHeaders, watchForProblems } from "./support/security-headers";
import { signInThroughUi } from "./support/sign-in";
import { expect, test } from "./support/test";

/**
 * Every page (the list comes from app/, so a new page is visited without being added here), signed
 * out and signed in, in light and dark: the security headers are on every answer, and the browser
 * reports no Content-Security-Policy violation and no console error. The signed-in user owns a
 * scratch workspace with an agent, a conversation and an invitation, and is a platform admin, so that
 * every page shows its real content rather than a 404.
 */
const schemes = ["light", "dark"] as const;
const { pages, handlers } = appRoutes();

interface Fixture {
  workspace: Workspace;
  conversationId: string;
  inviteToken: string;
  storageState: Awaited<ReturnType<BrowserContext["storageState"]>>;
}

async function signedInOwner(browser: Browser): Promise<Fixture> {
  const workspace = await createWorkspace({
    agents: ["Header Check Agent"],
    conversations: [{ agent: 0, caller: "+1 555 0100", summary: "Headers", turns: ["Hello", "Hi there"] }],
  });
  const owner = ownerConnection();
  let conversationId: string;
  try {
    await owner`update users set is_platform_admin = true where id = ${workspace.userId}`;
    const [row] = await owner<{ id: string }[]>`select id from conversations where tenant_id = ${workspace.tenantId}`;
    conversationId = row!.id;
  } finally {
    await owner.end();
  }
  const context = await browser.newContext();
  const page = await context.newPage();
  await signInThroughUi(page, workspace.email);
  const link = await invite(page, `invitee-${randomUUID().slice(0, 8)}@example.test`);
  const storageState = await context.storageState();
  await context.close();
  return { workspace, conversationId, inviteToken: new URL(link).pathname.split("/").at(-1)!, storageState };
}

/** A URL for every page pattern; fails on a dynamic page nobody said how to reach. */
function pageUrls(fixture: Fixture): string[] {
  const values: Record<string, string> = {
    "/agents/[id]": fixture.workspace.agentIds[0]!,
    "/conversations/[id]": fixture.conversationId,
    "/invite/[token]": fixture.inviteToken,
  };
  const unknown = pages.filter((p) => dynamicSegments(p).length > 0 && !(p in values));
  expect(unknown, "dynamic pages without a value in security-headers.spec.ts").toEqual([]);
  return pages.map((p) => (p in values ? p.replace(/\[[^\]]+\]$/, values[p]!) : p));
}

/** Pages that answer 404 by design in this run (magic links are off unless AUTH_MAGIC_LINKS is set). */
const notFoundByDesign = new Set(["/login/magic"]);

async function visitEveryPage(browser: Browser, urls: string[], storageState?: Fixture["storageState"]) {
  for (const colorScheme of schemes) {
    const context = await browser.newContext({ colorScheme, storageState });
    const page = await context.newPage();
    const watcher = await watchForProblems(page);
    for (const url of urls) {
      const absolute = new URL(url, test.info().project.use.baseURL).toString();
      if (notFoundByDesign.has(url)) watcher.expectNotFound(absolute);
      const response = await page.goto(url, { waitUntil: "networkidle" });
      expect(response, url).not.toBeNull();
      const where = `${storageState ? "signed in" : "signed out"}, ${colorScheme}: ${url} (${page.url()})`;
      expect(response!.status(), where).toBe(notFoundByDesign.has(url) ? 404 : 200);
      expectSecurityHeaders(await response!.headersArray(), "page", where);
      // The theme script is inline: it ran only if it carried the nonce. (A page that answers 404 from
      // its first render is Next's error shell, whose <head> React renders in the browser, where an
      // inline script never runs, nonce or not.)
      if (!notFoundByDesign.has(url)) {
        await expect(page.locator("html"), where).toHaveClass(colorScheme === "dark" ? /\bdark\b/ : /^(?!.*\bdark\b)/);
      }
    }
    expect(watcher.problems, `${colorScheme}: CSP violations and console errors`).toEqual([]);
    await context.close();
  }
}

test("every page, signed out, light and dark: security headers, no CSP violation, no console error", async ({
  browser,
}) => {
  test.setTimeout(240_000);
  // Signed out, the signed-in pages redirect to /login; the invitation page shows the invitation.
  const fixture = await signedInOwner(browser);
  try {
    await visitEveryPage(browser, pageUrls(fixture));
  } finally {
    await fixture.workspace.remove();
  }
});

test("every page, signed in (an owner and platform admin), light and dark: security headers, no CSP violation, no console error", async ({
  browser,
}) => {
  test.setTimeout(300_000);
  const fixture = await signedInOwner(browser);
  try {
    await visitEveryPage(browser, pageUrls(fixture), fixture.storageState);
  } finally {
    await fixture.workspace.remove();
  }
});

test("every route handler answers with the security headers and a policy that lets nothing run, signed out (JSON 401 and the like)", async ({
  playwright,
  baseURL,
}) => {
  const placeholders: Record<string, string> = { "[id]": randomUUID(), "[...nextauth]": "session" };
  const unknown = handlers.flatMap(dynamicSegments).filter((s) => !(s in placeholders));
  expect(unknown, "dynamic route segments without a placeholder in security-headers.spec.ts").toEqual([]);
  const request = await playwright.request.newContext({ baseURL, maxRedirects: 0 });
  try {
    for (const handler of handlers) {
      const url = handler.replace(/\[[^\]]+\]/g, (s) => placeholders[s]!);
      const response = await request.get(url);
      expect(response.status(), url).toBeLessThan(500);
      // Route handlers under the signed-in pages go through middleware.ts (a redirect to /login).
      const kind = response.status() >= 300 && response.status() < 400 ? "page" : "other";
      expectSecurityHeaders(response.headersArray(), kind, `GET ${url} → ${response.status()}`);
    }
    const unauthorized = await request.get("/api/v1/conversations");
    expect(unauthorized.status()).toBe(401);
    expect(unauthorized.headers()["content-type"]).toContain("application/json");
    // An unknown API path: Next's 404 page, outside middleware.ts, under the policy that lets nothing run.
    const missing = await request.get(`/api/v1/${randomUUID()}`);
    expect(missing.status()).toBe(404);
    expectSecurityHeaders(missing.headersArray(), "other", "an unknown API path");
    const icon = await request.get("/icon.svg");
    expect(icon.status()).toBe(200);
    expectSecurityHeaders(icon.headersArray(), "other", "a file (the icon)");
    // What a browser asks for where a page's <head> names no icon yet (the 404 shell): the same icon.
    const favicon = await request.get("/favicon.ico");
    expect(favicon.status()).toBe(200);
    expect(await favicon.body()).toEqual(await icon.body());
  } finally {
    await request.dispose();
  }
});

test("each page answer has a nonce of its own", async ({ request }) => {
  const nonceOf = async () => {
    const policy = (await request.get("/login")).headers()["content-security-policy"] ?? "";
    return directives(policy)
      .get("script-src")
      ?.find((s) => s.startsWith("'nonce-"));
  };
  const [first, second] = [await nonceOf(), await nonceOf()];
  expect(first).toBeTruthy();
  expect(second).not.toBe(first);
});

test("control: a script and a style attribute without the nonce, injected into a real page, are blocked and reported", async ({
  page,
}) => {
  // The server's own /login answer, headers and all, with what an injection would add to its HTML, and
  // the container React streams a late part of an SVG in (allowed by its hash, and only that).
  await page.route(
    (url) => url.pathname === "/login",
    async (route) => {
      const response = await route.fetch();
      const html = (await response.text())
        .replace("</head>", "<script>window.injected = true</script></head>")
        .replace(
          "</body>",
          '<p style="color: red">styled</p><svg aria-hidden="true" style="display:none" id="S:9"><g></g></svg></body>',
        );
      await route.fulfill({ response, body: html });
    },
  );
  const watcher = await watchForProblems(page);
  await page.goto("/login", { waitUntil: "networkidle" });
  expect(await page.evaluate(() => (window as unknown as { injected?: boolean }).injected)).toBeUndefined();
  await expect.poll(() => watcher.problems.join("\n")).toMatch(/CSP violation: script-src-elem blocked inline/);
  await expect.poll(() => watcher.problems.join("\n")).toMatch(/CSP violation: style-src-attr blocked inline/);
  expect(
    watcher.problems.filter((p) => p.startsWith("CSP violation: style-src-attr")),
    "only the red paragraph",
  ).toHaveLength(1);
  await expect(page.locator("svg#S\\:9")).toBeHidden();
  // The page's own scripts still ran (the nonce): the theme script and React.
  await expect(page.getByRole("button", { name: "Sign in" })).toBeEnabled();
});
