import { expect, test } from "@playwright/test";
import { expectAccessible, login } from "./helpers";

test("the branch lookup island suggests branches as a person types, and fills in the code", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));

  await login(page, "claimant@redress.example");
  await page.goto("/claims/new");
  await page.locator("#debit_0_bank").selectOption("0125");
  const suggestion = page.getByRole("button", { name: /本店営業部 \(100\)/ });
  // Typing before the island's WebAssembly has loaded reaches no listener:
  // type again until it answers (it must within 30 s).
  await expect(async () => {
    await page.locator("#debit_0_branch").fill("");
    await page.locator("#debit_0_branch").pressSequentially("本店");
    await expect(suggestion).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  await expectAccessible(page);
  await suggestion.click();
  await expect(page.locator("#debit_0_branch")).toHaveValue("100");
  await expect(suggestion).toHaveCount(0);
  expect(errors, "no script errors (CSP included)").toEqual([]);
});
