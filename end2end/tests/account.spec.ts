import { expect, test } from "@playwright/test";
import { expectAccessible, login, readMail } from "./helpers";

/** A new claimant, registered and confirmed through the pages. */
async function newClaimant(page: import("@playwright/test").Page, email: string, password: string) {
  await page.goto("/register");
  await page.getByLabel(/メールアドレス/).fill(email);
  await page.getByLabel(/^パスワード$/).fill(password);
  await page.getByRole("button", { name: "アカウントを作成" }).click();
  const mail = await readMail(email, "確認コード");
  const code = /\b([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})\b/.exec(mail)![1];
  await page.getByLabel(/コード/).first().fill(code);
  await page.getByRole("button", { name: /確認/ }).first().click();
  await expect(page.getByRole("status")).toBeVisible();
}

test.describe("the account page on a phone", () => {
  test.use({ viewport: { width: 320, height: 640 } });

  test("a claimant sees where they are logged in, logs another device out and changes the password", async ({ page, browser }) => {
    const email = `account-${Date.now()}@example.jp`;
    await newClaimant(page, email, "kamome-no-suiheisen");
    await login(page, email, "kamome-no-suiheisen");
    // A second device.
    const phone = await browser.newContext();
    const other = await phone.newPage();
    await login(other, email, "kamome-no-suiheisen");

    // The address in the header leads to the account page.
    await page.getByRole("link", { name: email }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("アカウント設定");
    await expect(page.locator("li.login")).toHaveCount(2);
    await expect(page.locator("li.login").first()).toContainText("この端末");
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
    await expectAccessible(page);
    await page.screenshot({ path: "test-results/account-320.png", fullPage: true });

    // Log the other device out: its next page asks for a login.
    await page.getByRole("button", { name: "この端末をログアウトさせる" }).click();
    await expect(page.getByRole("status")).toContainText("その端末をログアウトさせました");
    await expect(page.locator("li.login")).toHaveCount(1);
    const res = await other.goto("/claims");
    expect(res!.status()).toBe(401);

    // Change the password: a wrong current one is refused next to the field.
    await page.getByRole("link", { name: "パスワードを変更する" }).click();
    await expectAccessible(page);
    await page.getByLabel("今のパスワード").fill("not-my-password");
    await page.getByLabel("新しいパスワード").fill("a-new-long-password");
    await page.getByRole("button", { name: "パスワードを変更する" }).click();
    await expect(page.locator("#current_password-error")).toContainText("今のパスワードが違います");
    await expect(page.locator(".error-summary")).toBeVisible();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
    await expectAccessible(page);
    await page.getByLabel("今のパスワード").fill("kamome-no-suiheisen");
    await page.getByLabel("新しいパスワード").fill("a-new-long-password");
    await page.getByRole("button", { name: "パスワードを変更する" }).click();
    await expect(page.getByRole("status")).toContainText("パスワードを変更しました");
    expect(await readMail(email, "先ほど変更されました")).toContain("暗証番号");
    await phone.close();
  });
});

test("a reviewer's account page shows the two-step login and passes axe", async ({ page }) => {
  await login(page, "reviewer@redress.example");
  await page.goto("/account");
  await expect(page.getByRole("heading", { name: "ログインの安全" })).toBeVisible();
  await expect(page.getByText("管理者に2段階認証のリセットを依頼")).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("link", { name: "回復コードを作り直す" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("回復コードを作り直す");
  await expectAccessible(page);
});
