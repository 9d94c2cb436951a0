import { test } from "@playwright/test";

/**
 * `test` and `expect` for every spec. Assertions wait up to 15 s (playwright.config.ts): the machine
 * running the suites may be busy, and a timeout is not a measurement.
 */
export { expect, test } from "@playwright/test";

/** Call at the top of a spec file whose tests walk through several pages, users and actions. */
export function multiStepFlows() {
  test.beforeEach(() => test.setTimeout(180_000));
}
