import { expect, type Locator } from "@playwright/test";

/**
 * Sets hidden inputs to a forged value once React has hydrated them. Set before hydration, the value
 * is reset to the rendered one when React takes the input over, and the form then submits its real
 * target instead of the forged one (React marks each node it owns with a `__reactFiber$…` key).
 */
export async function forgeHiddenInputs(inputs: Locator, value: string) {
  await expect
    .poll(() =>
      inputs.evaluateAll(
        (all) => all.length > 0 && all.every((i) => Object.keys(i).some((k) => k.startsWith("__reactFiber$"))),
      ),
    )
    .toBe(true);
  await inputs.evaluateAll((all, v) => all.forEach((i) => ((i as HTMLInputElement).value = v)), value);
}
