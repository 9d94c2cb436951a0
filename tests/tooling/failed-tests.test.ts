import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { nodeTestFailures, playwrightFailures } from "../support/failed-tests";

/**
 * The list of failed tests printed at the end of `npm test`, read from the real reporters' output: a
 * planted suite with two failures (one in nested describe blocks) and a passing control, run by
 * node:test's spec reporter and by Playwright's JSON reporter (no browser: the planted tests use none).
 */
const run = promisify(execFile);
let dir = "";

async function output(command: string, args: string[]): Promise<string> {
  // Without NODE_TEST_CONTEXT, the planted node:test run reports to its own output, not to this runner.
  const env = { ...process.env, NODE_TEST_CONTEXT: undefined };
  // The planted tests fail, so the command exits with 1: its output is what is read.
  const result = await run(command, args, { cwd: dir, env }).catch((error: { stdout: string }) => error);
  return result.stdout;
}

describe("the failed tests named at the end of npm test", () => {
  before(() => {
    // Outside the tree (the checks running beside this suite must not see the planted files), with the
    // project's node_modules linked in for @playwright/test.
    dir = mkdtempSync(path.join(os.tmpdir(), "planted-failures-"));
    symlinkSync(path.join(process.cwd(), "node_modules"), path.join(dir, "node_modules"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("names node:test failures, with their file and first error line, and not the passing test", async () => {
    writeFileSync(
      path.join(dir, "planted.test.mjs"),
      `import { describe, it } from "node:test";
import assert from "node:assert/strict";
describe("outer", () => {
  it("fails inside", () => assert.equal(1, 2, "one is not two"));
  it("passes", () => {});
});
it("fails at the top", () => { throw new Error("first line\\nsecond line"); });
`,
    );
    const failures = nodeTestFailures(await output("node", ["--test", "--test-reporter=spec", "planted.test.mjs"]));
    assert.deepEqual(failures, [
      "planted.test.mjs:4:3 › fails inside: AssertionError [ERR_ASSERTION]: one is not two",
      "planted.test.mjs:7:1 › fails at the top: Error: first line",
    ]);
  });

  it("names Playwright failures, with their describe blocks, and not the passing test", async () => {
    writeFileSync(
      path.join(dir, "planted.spec.mjs"),
      `import { expect, test } from "@playwright/test";
test.describe("outer", () => {
  test.describe("inner", () => {
    test("fails inside", () => expect(1, "one is two").toBe(2));
  });
  test("passes", () => {});
});
test("fails at the top", () => { throw new Error("first line\\nsecond line"); });
`,
    );
    writeFileSync(
      path.join(dir, "playwright.config.mjs"),
      `export default { testDir: ".", reporter: [["json", { outputFile: "report.json" }]] };\n`,
    );
    await output("npx", ["playwright", "test", "--config", "playwright.config.mjs"]);
    const report = JSON.parse(readFileSync(path.join(dir, "report.json"), "utf8")) as Parameters<
      typeof playwrightFailures
    >[0];
    assert.deepEqual(playwrightFailures(report).sort(), [
      "planted.spec.mjs:4 › outer › inner › fails inside: Error: one is two",
      "planted.spec.mjs:8 › fails at the top: Error: first line",
    ]);
  });
});
