import { expect, test } from "@playwright/test";
import { enrol, expectAccessible, login, logout, readMail, secondStep } from "./helpers";

test("an admin invites a reviewer, who sets a password with the mailed code and logs in", async ({ page }) => {
  await login(page, "admin@redress.example");
  await page.getByRole("link", { name: "アカウント", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("アカウント");
  await expectAccessible(page);
  // A claimant cannot be invited: named beside the field.
  await page.getByLabel("メールアドレス").last().fill("pw.reviewer@example.jp");
  await page.getByLabel("役割", { exact: true }).selectOption("bank_staff");
  await page.getByRole("button", { name: "招待メールを送る" }).click();
  await expect(page.locator(".error-summary")).toBeVisible();
  await expect(page.locator("#bank-error")).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel("役割", { exact: true }).selectOption("reviewer");
  await page.getByRole("button", { name: "招待メールを送る" }).click();
  await expect(page.getByRole("status").first()).toContainText("招待メールを送りました");
  await page.getByRole("link", { name: "pw.reviewer@example.jp" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("pw.reviewer@example.jp");
  await expectAccessible(page);
  await logout(page);

  const mail = await readMail("pw.reviewer@example.jp", "職員アカウント");
  expect(mail).not.toMatch(/https?:\/\/[^\s]+\/[^\s]/);
  const code = /\b([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})\b/.exec(mail)![1];
  await page.goto("/login");
  await page.getByRole("link", { name: "招待コードをお持ちの方" }).click();
  await expectAccessible(page);
  await page.getByLabel("メールに書かれたコード").fill(code);
  await page.getByLabel("新しいパスワード").fill("hikari-no-umi-2020");
  await page.getByRole("button", { name: "パスワードを設定する" }).click();
  await expect(page.getByRole("status").first()).toContainText("パスワードを設定しました");
  // The first login: the password, then the two-step login is set up
  // before anything else (QR code and key; the first code confirms it).
  await page.getByLabel("メールアドレス").fill("pw.reviewer@example.jp");
  await page.getByLabel("パスワード", { exact: true }).fill("hikari-no-umi-2020");
  await page.getByRole("button", { name: "ログイン", exact: true }).click();
  await expect(page).toHaveURL(/\/mfa\/setup$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("2段階認証の設定");
  await expect(page.getByRole("img", { name: /QRコード/ })).toBeVisible();
  await expect(page.locator("#mfa-key")).toHaveText(/^[A-Z2-7]{4}( [A-Z2-7]{4}){7}$/);
  await expectAccessible(page);
  // Nothing else opens before it is done.
  await page.goto("/staff/queue");
  await expect(page.getByRole("heading", { level: 1 })).not.toHaveText("審査キュー");
  await page.goto("/mfa/setup");
  // A wrong code first: named beside the field.
  await page.getByLabel("確認コード").fill("000000");
  await page.getByRole("button", { name: "設定を完了する" }).click();
  await expect(page.locator("#code-error")).toBeVisible();
  await expect(page.locator(".error-summary")).toBeVisible();
  await expectAccessible(page);
  const codes = await enrol(page, "pw.reviewer@example.jp");
  expect(codes).toHaveLength(10);
  await expectAccessible(page);
  await page.getByRole("link", { name: "続ける" }).click();
  await expect(page).toHaveURL(/\/staff\/queue/);
  await expectAccessible(page);
  // The next login asks for the code from the app.
  await logout(page);
  await page.goto("/login");
  await page.getByLabel("メールアドレス").fill("pw.reviewer@example.jp");
  await page.getByLabel("パスワード", { exact: true }).fill("hikari-no-umi-2020");
  await page.getByRole("button", { name: "ログイン", exact: true }).click();
  await expect(page).toHaveURL(/\/login\/code$/);
  await expectAccessible(page);
  await secondStep(page, "pw.reviewer@example.jp");
  await expect(page).toHaveURL(/\/staff\/queue/);
});
