import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { ESLint } from "eslint";

// The isolation boundary is enforced by lint: outside db/ no code may import a raw database client.
const eslint = new ESLint({ cwd: process.cwd() });

async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

describe("ESLint keeps raw database clients inside db/", () => {
  for (const source of [
    `import postgres from "postgres";`,
    `import { rawPool } from "@/db/client";`,
    `import { drizzle } from "drizzle-orm/postgres-js";`,
    `import { rawPool } from "../../db/client";`,
  ]) {
    it(`refuses in app code: ${source}`, async () => {
      const errors = await boundaryErrors("app/(app)/leaky/page.tsx", `${source}\nexport const x = 1;\n`);
      assert.equal(errors.length, 1, `expected one boundary error, got ${JSON.stringify(errors)}`);
    });
  }

  it("allows the boundary itself inside db/ (the control)", async () => {
    assert.deepEqual(
      await boundaryErrors("db/leaky.ts", `import postgres from "postgres";\nexport const x = postgres;\n`),
      [],
    );
  });

  it("allows app code to use withTenant", async () => {
    assert.deepEqual(
      await boundaryErrors(
        "app/(app)/fine/page.tsx",
        `import { withTenant } from "@/db/tenant";\nexport const x = withTenant;\n`,
      ),
      [],
    );
  });
});

/** Imports in a db/ file that leave db/: `@/…` other than `@/db…`, or a relative path out of db/. */
function importsLeavingDb(file: string, text: string): string[] {
  const dbRoot = path.resolve("db");
  return [...text.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)]
    .map(([, specifier]) => specifier!)
    .filter((specifier) =>
      specifier.startsWith("@/")
        ? !/^@\/db(\/|$)/.test(specifier)
        : specifier.startsWith(".") && !path.resolve(path.dirname(file), specifier).startsWith(dbRoot + path.sep),
    );
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sources(full) : /\.tsx?$/.test(full) ? [full] : [];
  });
}

describe("db/ imports nothing from outside db/", () => {
  it("no file in db/ imports app code (lib/, app/, …), by @/ or by relative path", () => {
    const leaving = sources("db").flatMap((file) =>
      importsLeavingDb(file, readFileSync(file, "utf8")).map((specifier) => `${file}: ${specifier}`),
    );
    assert.deepEqual(leaving, []);
  });

  it("the check sees such imports (the control)", () => {
    const planted = `import { env } from "@/lib/env";\nimport type { X } from "../lib/agent-sql/guard";\nimport { y } from "./client";\nimport { z } from "@/db/schema";\n`;
    assert.deepEqual(importsLeavingDb("db/tenant.ts", planted), ["@/lib/env", "../lib/agent-sql/guard"]);
  });
});
