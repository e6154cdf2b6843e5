import { expect, test } from "@playwright/test";
import { expectAccessible, fileFullClaim, login, logout, PDF, readMail } from "./helpers";

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

  const mail = await readMail(email, "confirmation code");
  expect(mail).toContain("never asks for a PIN");
  // The mail holds a code, and no link but the service's address.
  expect(mail).not.toMatch(/https?:\/\/[^\s]+\/[^\s]/);
  const code = /\b([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})\b/.exec(mail)![1];
  await page.getByLabel("The code from our e-mail").fill(code.toLowerCase());
  await page.getByRole("button", { name: "Confirm my e-mail address" }).click();
  await expect(page.getByRole("status")).toContainText("Your e-mail address is confirmed");
  await expectAccessible(page);

  await login(page, email, password);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("My claims");
  await expectAccessible(page);
  const reference = await fileFullClaim(page, { axe: true, name: "Hanako Tanaka", kana: "タナカ ハナコ" });
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Claim sent");
  await expect(page.getByText("¥180,990").first()).toBeVisible();
  await expect(page.getByText("¥550").first()).toBeVisible();
  const mailed = await readMail(email, reference);
  expect(mailed).toContain("We have received your claim");
  await page.getByRole("link", { name: "My claims" }).click();
  await expect(page.getByRole("link", { name: reference })).toBeVisible();
  await expectAccessible(page);
  await logout(page);

  // The reviewer sees it at the top of the queue, account numbers masked.
  await login(page, "reviewer@redress.example");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Case queues");
  await expect(page.locator("tbody tr").first()).toContainText(reference);
  await expectAccessible(page);
  await page.getByRole("link", { name: reference }).click();
  await expect(page.getByText("****321").first()).toBeVisible();
  // (The phone number 090-1234-5678 holds the same digits: look at the table.)
  await expect(page.locator("table").first()).not.toContainText("7654321");
  await expect(page.locator("table").first()).not.toContainText("1234567");
  await expectAccessible(page);
  await logout(page);

  // The named bank sees its lines in full.
  await login(page, "bank.77@redress.example");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Debits to verify");
  await expect(page.getByRole("link", { name: `${reference} #1` })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("link", { name: `${reference} #1` }).click();
  await expect(page.getByText("1234567").first()).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("link", { name: "Back" }).click();
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
  for (const path of ["/admin/views", "/admin/api-keys", "/staff/reported-losses"]) {
    await page.goto(path);
    await expectAccessible(page);
  }
  // An API key is shown once, on the page that creates it.
  await page.goto("/admin/api-keys");
  await page.locator("#bank_code").fill("0125");
  await page.locator("#label").fill("勘定系");
  await page.getByRole("button", { name: "キーを作成する" }).click();
  await expect(page.locator(".api-key")).toHaveText(/^rdk_[0-9a-f]{64}$/);
  await expectAccessible(page);
  await page.goto("/login");
  await page.getByRole("link", { name: "パスワードを忘れた方" }).click();
  await expectAccessible(page);
});

test("a forgotten password is reset with the mailed code", async ({ page }) => {
  await page.goto("/password/forgot");
  await page.getByLabel("メールアドレス").fill("payments@redress.example");
  await page.getByRole("button", { name: "再設定のコードを送る" }).click();
  await expect(page.getByRole("status")).toContainText("30分間有効なコード");
  await expectAccessible(page);
  const mail = await readMail("payments@redress.example", "再設定のコード");
  expect(mail).toContain("暗証番号、パスワード、カード番号、支払いを求めることは絶対にありません");
  const code = /\b([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})\b/.exec(mail)![1];
  await page.getByLabel("メールに書かれたコード").fill(code);
  await page.getByLabel("新しいパスワード").fill("password");
  await page.getByRole("button", { name: "パスワードを変更" }).click();
  await expect(page.locator("#password-error")).toContainText("よく使われるパスワード");
  await expectAccessible(page);
  await page.getByLabel("新しいパスワード").fill("umi-no-mieru-machi");
  await page.getByRole("button", { name: "パスワードを変更" }).click();
  await expect(page.getByRole("status")).toContainText("パスワードを変更しました");
  await login(page, "payments@redress.example", "umi-no-mieru-machi");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("審査キュー");
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

test("a claimant writes a whole claim in Japanese, stops and continues, sends it and follows it", async ({ page }) => {
  await login(page, "claimant@redress.example");
  await expect(page.locator("html")).toHaveAttribute("lang", "ja");
  // As she knows them: her reading in hiragana, her birthday in 昭和 (the
  // helper's), a ゆうちょ account by the passbook's 記号・番号.
  const reference = await fileFullClaim(page, {
    axe: true,
    name: "山田 太郎",
    kana: "やまだ たろう",
    accounts: [
      ["1234567", ["100000", "50000"]],
      ["10530-12345671", ["30000"]],
    ],
  });
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("申請を受け付けました");
  await expect(page.getByText("180,990円").first()).toBeVisible();
  await page.getByRole("link", { name: "わたしの申請" }).click();
  const row = page.locator(".claim-list li").filter({ hasText: reference });
  await expect(row).toContainText("受付済み");
  await expectAccessible(page);
  await row.getByRole("link", { name: reference }).click();
  await expect(page.locator(".timeline")).toContainText("申請を受け付けました");
  await expect(page.getByText("440円").first()).toBeVisible();
  await expectAccessible(page);

  // A draft is kept across sessions: start one, log out, log in, continue.
  await page.goto("/claims/new");
  await page.locator("#start").click();
  const draftUrl = page.url();
  await page.locator('.task-list a[href$="/about"]').click();
  await page.locator("#full_name").fill("山田 太郎");
  await page.locator("#name_kana").fill("山田");
  // The browser checks with the server's own rules: no request is sent.
  let posted = false;
  page.on("request", (r) => {
    if (r.method() === "POST" && r.url().endsWith("/about")) posted = true;
  });
  await page.getByRole("button", { name: "保存して続ける" }).click();
  await expect(page.getByRole("alert")).toContainText("問題があります");
  await expect(page.getByRole("alert").getByRole("link", { name: /カタカナかひらがな/ })).toBeVisible();
  expect(posted).toBe(false);
  await expect(page.locator("#name_kana-error")).toBeVisible();
  await expect(page.locator("#full_name")).toHaveValue("山田 太郎");
  await expectAccessible(page);
  // The browser normalises as the server does (NFKC, by the browser's own
  // String.normalize): half-width kana are a reading, not an error.
  await page.locator("#name_kana").fill("ﾔﾏﾀﾞ ﾀﾛｳ");
  await page.getByRole("button", { name: "保存して続ける" }).click();
  await expect(page.getByRole("alert")).toContainText("問題があります");
  await expect(page.locator("#name_kana-error")).toHaveCount(0);
  expect(posted).toBe(false);
  await logout(page);
  await login(page, "claimant@redress.example");
  await page.getByRole("link", { name: "続きを入力する" }).first().click();
  await expect(page).toHaveURL(draftUrl);
  await expect(page.locator(".task-list")).toContainText("未着手");
  await expectAccessible(page);
});

test("a claimant answers a request for information: only the requested sections open", async ({ page }) => {
  await login(page, "claimant@redress.example");
  await page.getByRole("link", { name: "RD-000003" }).click();
  const request = page.locator(".request-box");
  await expect(request).toContainText("電話代の請求書");
  await expectAccessible(page);
  await request.getByRole("link", { name: "依頼に回答する" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("依頼への回答");
  await expectAccessible(page);

  // A section that was not asked about stays locked.
  await page.goto("/claims/RD-000003/about");
  await expect(page.getByText("今は変更できません")).toBeVisible();
  await expectAccessible(page);

  // The calls section is open: add the call.
  await page.goto("/claims/RD-000003/reply");
  await page.getByRole("link", { name: "電話代" }).click();
  await page.locator('a[href$="/add-call"]').click();
  await page.locator("#date").fill("2020-09-08");
  await page.locator("#callee").selectOption("bank");
  await page.locator("#minutes").fill("40");
  await page.locator("#cost").fill("880");
  await page.locator("#receipt").check();
  await page.getByRole("button", { name: "保存して続ける" }).click();
  await expect(page.locator("table")).toContainText("880");
  await page.getByRole("button", { name: "この項目の入力を終える" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("依頼への回答");

  // A file with the reply, then the answer.
  await page.locator("#file").setInputFiles({ name: "phone-bill.pdf", mimeType: "application/pdf", buffer: PDF });
  await page.getByRole("button", { name: "アップロードする" }).click();
  await expect(page.locator(".file-card").filter({ hasText: "phone-bill.pdf" })).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel("回答を入力してください").fill("請求書を添付し、電話代を入力しました。");
  await page.getByRole("button", { name: "回答を送信する" }).click();
  await expect(page.getByRole("status")).toContainText("回答を送信しました");
  await expect(page.locator(".request-box")).toHaveCount(0);
  await expect(page.getByText("880円").first()).toBeVisible();
  await expectAccessible(page);
});
