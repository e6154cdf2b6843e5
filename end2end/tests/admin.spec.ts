import { expect, test } from "@playwright/test";
import { expectAccessible, login, logout, readMail } from "./helpers";

test("an admin invites a reviewer, who sets a password with the mailed code and logs in", async ({ page }) => {
  await login(page, "admin@redress.example");
  await page.getByRole("link", { name: "アカウント" }).click();
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
  await login(page, "pw.reviewer@example.jp", "hikari-no-umi-2020");
  await expect(page).toHaveURL(/\/staff\/queue/);
  await expectAccessible(page);
});
