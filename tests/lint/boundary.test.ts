import { describe, it } from "node:test";
import assert from "node:assert/strict";
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
