import { hiddenStyleHash } from "@/lib/security-headers";
import { expect, type Page } from "@playwright/test";

/**
 * What the security-headers suite checks on every answer, and how it watches a page for Content
 * Security Policy violations and console errors.
 */
export interface RawHeader {
  name: string;
  value: string;
}

export function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name!.toLowerCase(), values]),
  );
}

const values = (headers: RawHeader[], name: string) =>
  headers.filter((h) => h.name.toLowerCase() === name).map((h) => h.value);

/**
 * The headers every answer carries; `page` answers have a nonce policy for scripts and styles, the
 * others (JSON, CSV, redirects of API routes) a policy that lets nothing run.
 */
export function expectSecurityHeaders(headers: RawHeader[], kind: "page" | "other", where: string) {
  const policies = values(headers, "content-security-policy");
  expect(policies, `${where}: exactly one Content-Security-Policy`).toHaveLength(1);
  const policy = directives(policies[0]!);
  expect(policy.get("frame-ancestors"), `${where}: frame-ancestors`).toEqual(["'none'"]);
  const scripts = policy.get("script-src") ?? policy.get("default-src") ?? [];
  expect(scripts, `${where}: scripts`).not.toContain("'unsafe-inline'");
  expect(scripts, `${where}: scripts`).not.toContain("'unsafe-eval'");
  const styles = policy.get("style-src") ?? policy.get("default-src") ?? [];
  expect(styles, `${where}: styles`).not.toContain("'unsafe-inline'");
  // Style attributes: none, or only `display:none` by its hash (lib/security-headers.ts).
  const styleAttributes = policy.get("style-src-attr");
  if (styleAttributes)
    expect(styleAttributes, `${where}: style attributes`).toEqual(["'unsafe-hashes'", `'${hiddenStyleHash}'`]);
  if (kind === "page") {
    expect(
      scripts.filter((s) => /^'nonce-[A-Za-z0-9+/=]{16,}'$/.test(s)),
      `${where}: a script nonce`,
    ).toHaveLength(1);
    expect(scripts, `${where}: scripts`).toContain("'strict-dynamic'");
  } else {
    expect(policy.get("default-src"), `${where}: nothing runs in a non-page answer`).toEqual(["'none'"]);
  }
  expect(values(headers, "x-content-type-options"), where).toEqual(["nosniff"]);
  expect(values(headers, "referrer-policy"), where).toEqual(["same-origin"]);
  expect(values(headers, "permissions-policy")[0] ?? "", where).toContain("camera=()");
  // npm test runs the production build: HSTS is on (browsers ignore it over plain http, as here).
  expect(values(headers, "strict-transport-security")[0] ?? "", where).toMatch(/^max-age=(\d{8,})/);
}

/**
 * Collects, for every page loaded in `page` from now on, each Content-Security-Policy violation (the
 * browser's `securitypolicyviolation` event), each console error and each uncaught exception.
 * `expectedStatus` lets a visit that is meant to answer 404 keep the browser's note about that answer.
 */
export async function watchForProblems(page: Page) {
  const problems: string[] = [];
  const notFoundDocuments = new Set<string>();
  await page.exposeFunction("__reportCspViolation", (text: string) => problems.push(`CSP violation: ${text}`));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      const reporter = window as unknown as { __reportCspViolation: (text: string) => void };
      // The element a blocked attribute is on (its start tag), so a report says which markup did it.
      const element = e.target instanceof Element ? e.target.outerHTML.slice(0, 200) : "";
      reporter.__reportCspViolation(
        `${e.effectiveDirective} blocked ${e.blockedURI || "inline"} on ${e.documentURI} (${e.sample}) from ${e.sourceFile || "the document"}:${e.lineNumber}:${e.columnNumber}${element ? ` on ${element}` : ""}`,
      );
    });
  });
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const text = message.text();
    const from = message.location().url;
    // The page meant to answer 404, or a request for the same path (Next's client may ask it again, ?_rsc=…).
    if (text.includes("status of 404") && from && notFoundDocuments.has(URL.parse(from)?.pathname ?? from)) return;
    problems.push(`console error on ${page.url()}${from ? ` (from ${from})` : ""}: ${text}`);
  });
  page.on("pageerror", (error) => problems.push(`uncaught on ${page.url()}: ${error.message}`));
  return {
    problems,
    expectNotFound(url: string) {
      notFoundDocuments.add(new URL(url).pathname);
    },
  };
}
