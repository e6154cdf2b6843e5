import { expect, test } from "@playwright/test";
import { expectAccessible } from "./helpers";

// A visitor who is not logged in, as search engines and new claimants are.
test("a visitor's way from the home page to starting a claim answers 200 throughout", async ({ page }) => {
  const failed: string[] = [];
  page.on("response", (r) => {
    if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
  });
  await page.goto("/");
  await page.locator("a.button-start").first().click();
  await expect(page).toHaveURL(/\/claims\/new$/);
  await expect(page.locator("#start")).toBeVisible();
  const res = await page.goto("/claims/new");
  expect(res?.status()).toBe(200);
  expect(res?.headers()["www-authenticate"]).toBeUndefined();
  await expectAccessible(page);
  expect(failed).toEqual([]);
  // Starting needs an account: the login page says so.
  await page.locator("#start").click();
  await expect(page).toHaveURL(/\/login/);
});
