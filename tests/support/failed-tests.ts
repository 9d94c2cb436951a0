import { stripVTControlCharacters } from "node:util";

/**
 * The names of the tests that failed in a run, with the first line of each one's error, so that the end
 * of `npm test`'s output (often all a CI page shows) says what failed, not only how many.
 */

const firstLine = (text: string) => text.trim().split("\n")[0]!.slice(0, 300);

/** From node:test's spec reporter: its closing "failing tests" section. */
export function nodeTestFailures(output: string): string[] {
  const section = output.split(/^✖ failing tests:$/m)[1];
  if (!section) return [];
  const failures: string[] = [];
  const lines = section.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const where = /^test at (\S+)$/.exec(lines[i]!);
    if (!where) continue;
    const name = /^✖ (.*?)(?: \([\d.]+m?s\))?$/.exec(lines[i + 1] ?? "")?.[1] ?? "(unnamed)";
    failures.push(`${where[1]} › ${name}: ${firstLine(lines[i + 2] ?? "")}`);
  }
  return failures;
}

interface PlaywrightSuite {
  title: string;
  suites?: PlaywrightSuite[];
  specs?: {
    title: string;
    file: string;
    line: number;
    tests: { status: string; results: { error?: { message?: string } }[] }[];
  }[];
}

/** From Playwright's JSON report: every test whose outcome was unexpected. */
export function playwrightFailures(report: { suites?: PlaywrightSuite[] }): string[] {
  const failures: string[] = [];
  // The top-level suites are files; the ones below them are describe blocks, named in the title.
  const visit = (suite: PlaywrightSuite, describes: string[]) => {
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests.filter((t) => t.status === "unexpected")) {
        const error = test.results.map((r) => r.error?.message).find(Boolean) ?? "";
        const name = [...describes, spec.title].join(" › ");
        failures.push(`${spec.file}:${spec.line} › ${name}: ${firstLine(stripVTControlCharacters(error))}`);
      }
    }
    for (const child of suite.suites ?? []) visit(child, [...describes, child.title]);
  };
  for (const suite of report.suites ?? []) visit(suite, []);
  return failures;
}
