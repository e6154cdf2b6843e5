import { expect, test } from "@playwright/test";
import { expectAccessible, fillDebit, login } from "./helpers";

test.describe("with JavaScript off", () => {
  test.use({ javaScriptEnabled: false });

  test("the claim form works end to end, lines added and removed by the server", async ({ page }) => {
    await login(page, "claimant@redress.example");
    await page.goto("/claims/new");
    await page.locator("#full_name").fill("山田 太郎");
    await page.locator("#name_kana").fill("ヤマダ タロウ");
    await page.locator("#phone").fill("03-1234-5678");
    await fillDebit(page, 0, "30000");
    await page.getByRole("button", { name: "引き出しを追加" }).click();
    await expect(page.locator("#debit_1_amount")).toBeVisible();
    await expect(page.locator("#debit_0_amount")).toHaveValue("30000");
    await page.getByRole("button", { name: "この引き出しを削除" }).nth(1).click();
    await expect(page.locator("#debit_1_amount")).toHaveCount(0);

    // Bad input: a 422 page with the errors, and the typed values kept.
    await page.locator("#debit_0_amount").fill("0");
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith("/claims/new") && r.request().method() === "POST"),
      page.getByRole("button", { name: "申請を送信" }).click(),
    ]);
    expect(response.status()).toBe(422);
    await expect(page.locator("#debit_0_amount-error")).toContainText("1円から10,000,000円");
    await expect(page.locator("#declaration-error")).toBeVisible();
    await expect(page.locator("#full_name")).toHaveValue("山田 太郎");
    // (axe-core needs JavaScript; the same error page is scanned in the journey test.)

    await page.locator("#debit_0_amount").fill("30,000");
    await page.locator("#declaration").check();
    await page.getByRole("button", { name: "申請を送信" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("申請を受け付けました");
    await expect(page.locator(".panel-confirm .reference")).toHaveText(/RD-\d{6}/);
  });
});

test.describe("on a 320 px screen", () => {
  test.use({ viewport: { width: 320, height: 640 } });

  test("the claimant's pages fit without sideways scrolling", async ({ page }) => {
    for (const path of ["/", "/login", "/register"]) {
      await page.goto(path);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
    }
    await login(page, "claimant@redress.example");
    for (const path of ["/claims", "/claims/new", "/claims/RD-000001"]) {
      await page.goto(path);
      expect(await page.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(320);
      await expectAccessible(page);
    }
    await page.screenshot({ path: "test-results/claim-320.png", fullPage: true });
  });
});
