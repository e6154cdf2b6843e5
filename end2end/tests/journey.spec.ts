import { expect, test } from "@playwright/test";
import { expectAccessible, fillDebit, login, logout, readMail } from "./helpers";

test("a claimant registers, files a claim, and it reaches the reviewer and only the named bank", async ({ page }) => {
  const email = `e2e-${Date.now()}@example.jp`;
  const password = "kamome-no-suiheisen";

  await page.goto("/");
  await expectAccessible(page);
  // Switch to English: a plain link that remembers the choice.
  await page.getByRole("button", { name: "English" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Claim compensation for unauthorized debits");
  await expectAccessible(page);

  await page.getByRole("link", { name: "Create an account" }).first().click();
  await expectAccessible(page);
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Check your e-mail");
  await expectAccessible(page);

  const mail = await readMail(email, "/verify?token=");
  expect(mail).toContain("never asks for a PIN");
  const link = /(http\S+\/verify\?token=\w+)/.exec(mail)![1];
  await page.goto(link.replace(/^http:\/\/[^/]+/, ""));
  await expectAccessible(page);
  await page.getByRole("button", { name: "Confirm my e-mail address" }).click();
  await expect(page.getByRole("status")).toContainText("Your e-mail address is confirmed");
  await expectAccessible(page);

  await login(page, email, password);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("My claims");
  await expectAccessible(page);
  await page.getByRole("link", { name: "Start a claim" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Claim compensation");
  await expectAccessible(page);

  // Send it once with mistakes: errors beside the fields and in the summary.
  await page.getByLabel("Full name (kanji or Latin letters)").fill("Hanako Tanaka");
  await page.getByLabel("Full name in katakana").fill("たなか はなこ");
  await page.getByRole("button", { name: "Send claim" }).click();
  const summary = page.getByRole("alert");
  await expect(summary).toContainText("There is a problem");
  await expect(summary.getByRole("link", { name: /Use full-width katakana/ })).toBeVisible();
  await expect(page.locator("#name_kana-error")).toContainText("Use full-width katakana");
  await expect(page.getByLabel("Full name (kanji or Latin letters)")).toHaveValue("Hanako Tanaka");
  await expectAccessible(page);

  await page.getByLabel("Full name in katakana").fill("タナカ ハナコ");
  await page.getByLabel("Phone number").fill("090-1234-5678");
  await fillDebit(page, 0, "100000");
  await page.getByRole("button", { name: "Add another debit" }).click();
  await fillDebit(page, 1, "50000");
  await page.getByLabel(/What I have entered is true/).check();
  await page.getByRole("button", { name: "Send claim" }).click();

  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Claim sent");
  const reference = (await page.locator(".panel-confirm .reference").textContent())!.trim();
  expect(reference).toMatch(/^RD-\d{6}$/);
  await expect(page.getByText("¥150,000").first()).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("link", { name: "My claims" }).click();
  await expect(page.getByRole("link", { name: reference })).toBeVisible();
  await expectAccessible(page);
  await logout(page);

  // The reviewer sees it at the top of the queue, account numbers masked.
  await login(page, "reviewer@redress.example");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Case queue (newest first)");
  await expect(page.locator("tbody tr").first()).toContainText(reference);
  await expectAccessible(page);
  await page.getByRole("link", { name: reference }).click();
  await expect(page.getByText("****321").first()).toBeVisible();
  await expect(page.getByText("7654321")).toHaveCount(0);
  await expectAccessible(page);
  await logout(page);

  // The named bank sees its lines in full.
  await login(page, "bank.77@redress.example");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Debits to verify");
  await expect(page.getByRole("link", { name: `${reference} #1` })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("link", { name: `${reference} #1` }).click();
  await expect(page.getByText("7654321").first()).toBeVisible();
  await expectAccessible(page);
  await logout(page);

  // Another bank sees nothing of it.
  await login(page, "bank.yucho@redress.example");
  await expect(page.getByText(reference)).toHaveCount(0);
  const res = await page.goto(`/bank/claims/${reference}`);
  expect(res!.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Page not found");
  await expectAccessible(page);
});

test("the admin's page and the other public pages are accessible in Japanese", async ({ page }) => {
  for (const path of ["/", "/login", "/register", "/password/forgot", "/genuine", "/no-such-page"]) {
    await page.goto(path);
    await expect(page.locator("html")).toHaveAttribute("lang", "ja");
    await expectAccessible(page);
  }
  // Is this message really from us? A reference and the phone's last 4 digits.
  await page.goto("/genuine");
  await page.getByLabel("申請番号").fill("RD-000001");
  await page.getByLabel("申請に書いた電話番号の下4桁").fill("4567");
  await page.getByRole("button", { name: "確かめる" }).click();
  await expect(page.getByRole("status")).toContainText("申請 RD-000001 は存在します");
  await expectAccessible(page);

  await login(page, "admin@redress.example");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("参加銀行");
  await expectAccessible(page);
  await page.goto("/staff/queue");
  await expectAccessible(page);
  await page.goto("/login");
  await page.getByRole("link", { name: "パスワードを忘れた方" }).click();
  await expectAccessible(page);
});

test("a forgotten password is reset through the mailed link", async ({ page }) => {
  await page.goto("/password/forgot");
  await page.getByLabel("メールアドレス").fill("payments@redress.example");
  await page.getByRole("button", { name: "再設定のリンクを送る" }).click();
  await expect(page.getByRole("status")).toContainText("30分間有効なリンク");
  await expectAccessible(page);
  const mail = await readMail("payments@redress.example", "/password/reset?token=");
  expect(mail).toContain("暗証番号、パスワード、カード番号、支払いを求めることは絶対にありません");
  const link = /(http\S+\/password\/reset\?token=\w+)/.exec(mail)![1];
  await page.goto(link.replace(/^http:\/\/[^/]+/, ""));
  await expectAccessible(page);
  await page.getByLabel("新しいパスワード").fill("password");
  await page.getByRole("button", { name: "パスワードを変更" }).click();
  await expect(page.locator("#password-error")).toContainText("よく使われるパスワード");
  await expectAccessible(page);
  await page.getByLabel("新しいパスワード").fill("umi-no-mieru-machi");
  await page.getByRole("button", { name: "パスワードを変更" }).click();
  await expect(page.getByRole("status")).toContainText("パスワードを変更しました");
  await login(page, "payments@redress.example", "umi-no-mieru-machi");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("審査キュー（新しい順）");
});

test("a claimant follows a claim's history and withdraws it", async ({ page }) => {
  await login(page, "claimant@redress.example");
  await page.getByRole("link", { name: "RD-000002" }).click();
  await expect(page.getByRole("heading", { name: "これまでの経過" })).toBeVisible();
  await expect(page.locator(".timeline")).toContainText("申請を受け付けました");
  await expectAccessible(page);
  await page.getByRole("link", { name: "この申請を取り下げる" }).click();
  await expect(page.getByText("ご自身で元に戻すことはできません")).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel("取り下げの理由（任意）").fill("銀行から補償を受けたため");
  await page.getByRole("button", { name: "申請を取り下げる" }).click();
  await expect(page.getByRole("status")).toContainText("申請を取り下げました");
  await expect(page.locator(".timeline")).toContainText("申請を取り下げました");
  await expect(page.getByRole("link", { name: "この申請を取り下げる" })).toHaveCount(0);
  await expectAccessible(page);
});
