import { expect, type Page } from "@playwright/test";
import postgres from "postgres";

export const demoPassword = "demo-password";

export async function signIn(page: Page, email: string) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(demoPassword);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/conversations$/);
}

/** The BYPASSRLS admin connection, used by tests to fetch another tenant's real ids and text. */
export function adminConnection() {
  const url = process.env.E2E_ADMIN_DATABASE_URL;
  if (!url) throw new Error("E2E_ADMIN_DATABASE_URL is set by npm test");
  return postgres(url, { max: 1 });
}
