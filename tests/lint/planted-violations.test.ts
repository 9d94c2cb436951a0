import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ESLint } from "eslint";

/**
 * The checks `npm test` runs on the code (ESLint, type-aware, and dependency-cruiser's architecture
 * rules in .dependency-cruiser.mjs), each shown failing on a violation planted in the real tree: the
 * files are written, the real checker runs with the project's config, and the files are removed in a
 * finally. Controls: allowed imports and code planted beside them are not reported.
 */
const root = process.cwd();
const tag = `zz-planted-${process.pid}`;

async function withPlanted<T>(files: Record<string, string>, check: () => Promise<T>): Promise<T> {
  try {
    for (const [file, text] of Object.entries(files)) writeFileSync(path.join(root, file), text);
    return await check();
  } finally {
    for (const file of Object.keys(files)) rmSync(path.join(root, file), { force: true });
  }
}

describe("ESLint (type-aware, Next.js and React-hooks rules) fails planted violations", () => {
  const file = {
    floating: `features/${tag}-floating.ts`,
    awaited: `features/${tag}-awaited.ts`,
    submit: `components/${tag}-submit.tsx`,
    hooks: `components/${tag}-hooks.tsx`,
    img: `app/${tag}-img.tsx`,
  };
  const withTenantSource = (statement: string) => `import { withTenant } from "@/db";
import { auditEvents } from "@/db/schema";

export async function record(tenantId: string): Promise<void> {
  await withTenant(tenantId, async (tx) => {
    ${statement}
  });
}
`;
  let results = new Map<string, ESLint.LintResult>();

  before(async () => {
    const planted = {
      [file.floating]: withTenantSource(`tx.insert(auditEvents).values({ tenantId, action: "planted" });`),
      [file.awaited]: withTenantSource(`await tx.insert(auditEvents).values({ tenantId, action: "planted" });`),
      [file.submit]: `export function Forms() {
  return (
    <>
      <form onSubmit={async () => { await fetch("/api"); }} />
      <form action={async () => { await fetch("/api"); }} />
    </>
  );
}
`,
      [file.hooks]: `"use client";
import { useState } from "react";

export function Counter({ show }: { show: boolean }) {
  if (!show) return null;
  const [count] = useState(0);
  return <span>{count}</span>;
}
`,
      [file.img]: `export default function Picture() {
  return <img src="/logo.png" alt="" />;
}
`,
    };
    const eslint = new ESLint({ cwd: root });
    const linted = await withPlanted(planted, () => eslint.lintFiles(Object.keys(planted)));
    results = new Map(linted.map((r) => [path.relative(root, r.filePath), r]));
  });

  const messages = (name: keyof typeof file) => {
    const result = results.get(file[name]);
    assert.ok(result, `${file[name]} was not linted`);
    return result.messages.map((m) => ({ rule: m.ruleId, line: m.line, severity: m.severity, message: m.message }));
  };

  it("an un-awaited query inside withTenant: @typescript-eslint/no-floating-promises", () => {
    const found = messages("floating");
    assert.deepEqual(
      found.map((m) => [m.rule, m.line, m.severity]),
      [["@typescript-eslint/no-floating-promises", 6, 2]],
      JSON.stringify(found),
    );
    assert.match(found[0]!.message, /Promises must be awaited/);
  });

  it("the same query awaited is not reported (control)", () => {
    assert.deepEqual(messages("awaited"), []);
  });

  it("an async onSubmit handler: @typescript-eslint/no-misused-promises; an async form action is fine", () => {
    const found = messages("submit");
    assert.deepEqual(
      found.map((m) => [m.rule, m.line]),
      [["@typescript-eslint/no-misused-promises", 4]],
      JSON.stringify(found),
    );
  });

  it("a hook called after an early return: react-hooks/rules-of-hooks", () => {
    assert.ok(
      messages("hooks").some((m) => m.rule === "react-hooks/rules-of-hooks" && m.line === 6),
      JSON.stringify(messages("hooks")),
    );
  });

  it("an <img> in app code: @next/next/no-img-element (a warning: npm test lints with --max-warnings 0)", () => {
    assert.deepEqual(
      messages("img").map((m) => [m.rule, m.line]),
      [["@next/next/no-img-element", 2]],
    );
  });
});

describe("dependency-cruiser (.dependency-cruiser.mjs) fails planted architecture violations", () => {
  // Each planted file breaks exactly one rule; the allowed files break none.
  const violations = [
    {
      rule: "no-circular",
      files: {
        [`lib/${tag}-cycle-a.ts`]: `import { b } from "./${tag}-cycle-b";\nexport const a = (): number => b() + 1;\n`,
        [`lib/${tag}-cycle-b.ts`]: `import { a } from "./${tag}-cycle-a";\nexport const b = (): number => a() - 1;\n`,
      },
      reported: `lib/${tag}-cycle-a.ts → \n      lib/${tag}-cycle-b.ts →\n      lib/${tag}-cycle-a.ts`,
    },
    {
      rule: "lib-not-to-features-or-app",
      files: { [`lib/${tag}-feature.ts`]: `export { overviewDays } from "@/features/overview/figures";\n` },
      reported: `lib/${tag}-feature.ts → features/overview/figures.ts`,
    },
    {
      rule: "db-only-through-public-api",
      files: { [`app/${tag}-db-client.ts`]: `export { rawPool } from "@/db/client";\n` },
      reported: `app/${tag}-db-client.ts → db/client.ts`,
    },
    {
      rule: "features-not-to-app",
      files: { [`features/${tag}-app.ts`]: `export { navItems } from "@/app/(app)/nav";\n` },
      reported: `features/${tag}-app.ts → app/(app)/nav.ts`,
    },
    {
      rule: "client-component-not-to-db",
      files: {
        [`components/${tag}-client.tsx`]: `"use client";\n\nimport { isUuid } from "@/db";\n\nexport const Check = ({ id }: { id: string }) => <span>{isUuid(id) ? "yes" : "no"}</span>;\n`,
      },
      reported: `components/${tag}-client.tsx → db/index.ts`,
    },
    {
      rule: "db-imports-only-db",
      files: { [`db/${tag}-lib.ts`]: `export { formatDuration } from "@/lib/format";\n` },
      reported: `db/${tag}-lib.ts → lib/format.ts`,
    },
    {
      rule: "components-not-to-app",
      files: { [`components/${tag}-app.ts`]: `export { navItems } from "@/app/(app)/nav";\n` },
      reported: `components/${tag}-app.ts → app/(app)/nav.ts`,
    },
    {
      rule: "raw-driver-only-in-db",
      files: { [`lib/${tag}-driver.ts`]: `import postgres from "postgres";\nexport const connect = postgres;\n` },
      reported: `lib/${tag}-driver.ts → node_modules/postgres/`,
    },
    {
      rule: "not-to-tools",
      files: { [`lib/${tag}-tools.ts`]: `export type { FakeLlm } from "@/tests/support/fake-llm";\n` },
      reported: `lib/${tag}-tools.ts → tests/support/fake-llm.ts`,
    },
  ];
  const allowed = {
    // A route (a server module) may use the public API, the schema, features, lib and components.
    [`app/${tag}-allowed.tsx`]: `import { withTenant } from "@/db";
import { agents } from "@/db/schema";
import { overviewDays } from "@/features/overview/figures";
import { formatDuration } from "@/lib/format";
import { buttonClass } from "@/components/ui";
export const used = [withTenant, agents, overviewDays, formatDuration, buttonClass];
`,
    // A tool may reach db/ internals and the driver.
    [`tests/${tag}-allowed.ts`]: `import postgres from "postgres";
import { rawPool } from "@/db/client";
export const used = [postgres, rawPool];
`,
  };
  let run = { code: 0, output: "" };

  before(async () => {
    const planted = Object.assign({}, allowed, ...violations.map((v) => v.files)) as Record<string, string>;
    run = await withPlanted(planted, () => depcruise());
  });

  it("fails the run (non-zero exit)", () => {
    assert.notEqual(run.code, 0, run.output);
  });

  for (const v of violations) {
    it(`${v.rule}: ${Object.keys(v.files).join(", ")}`, () => {
      assert.ok(run.output.includes(`error ${v.rule}: ${v.reported}`), run.output);
    });
  }

  it("reports nothing else: no allowed import and no file of the real tree (control)", () => {
    const reported = run.output.split("\n").filter((line) => /^\s*error /.test(line));
    assert.deepEqual(
      reported.filter((line) => !line.includes(tag) || Object.keys(allowed).some((f) => line.includes(f))),
      [],
    );
    assert.equal(reported.length, violations.length, run.output); // one line each (the cycle once)
  });
});

/** The architecture check exactly as `npm test` runs it: package.json's lint:architecture. */
function depcruise(): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile("npm", ["run", "--silent", "lint:architecture"], { cwd: root }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}
