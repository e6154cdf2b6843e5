import { expect, Page, test } from "@playwright/test";
import { expectAccessible, fileFullClaim, login, logout, secondStep } from "./helpers";

/** A claim filed by the demo claimant and confirmed by the bank: in review. */
async function claimInReview(page: Page, name: string, kana: string): Promise<string> {
  await login(page, "claimant@redress.example");
  const reference = await fileFullClaim(page, { axe: false, name, kana });
  await logout(page);
  // The bank confirms the three debits: the case reaches review by itself.
  await login(page, "bank.77@redress.example");
  for (const n of [1, 2, 3]) {
    await page.goto(`/bank/claims/${reference}`);
    await page.getByRole("link", { name: new RegExp(`回答する #${n}$`) }).click();
    await page.locator("#verdict").check();
    await page.getByRole("button", { name: "保存する" }).click();
    await expect(page.getByRole("status")).toContainText("回答を保存しました");
  }
  await expect(page.locator(".summary-list").first()).toContainText("審査中");
  // The payout account's bank says the account is the claimant's (approval needs it).
  await page.goto(`/bank/claims/${reference}`);
  await page.getByLabel("本人名義です").check();
  await page.getByRole("button", { name: "保存する", exact: true }).click();
  await expect(page.getByRole("status").first()).toContainText("口座の確認結果を保存しました");
  await logout(page);
  return reference;
}

// The server runs with REDRESS_SECOND_APPROVAL_ABOVE=100000 (playwright.config):
// this claim of 180,990 yen needs two approvers.
test("a reviewer assesses with every flag acknowledged; two approvers approve", async ({ page }) => {
  const reference = await claimInReview(page, "佐々木 実", "ササキ ミノル");

  // The reviewer sees the flags; assessing without acknowledging them fails.
  await login(page, "reviewer@redress.example");
  await page.goto(`/staff/claims/${reference}`);
  await expect(page.locator(".checks")).toContainText("対象期間(申請前90日)より前の引き出し");
  await expectAccessible(page);
  // On a wide screen the decision sits beside the facts, not 5,000 px below.
  await page.setViewportSize({ width: 1440, height: 900 });
  const facts = await page.locator(".case-facts").boundingBox();
  const decision = await page.locator(".case-decision").boundingBox();
  expect(decision!.x).toBeGreaterThan(facts!.x + facts!.width - 1);
  expect(decision!.y).toBeLessThan(facts!.y + 200);
  await expect(page.locator(".case-decision .staff-history")).toBeVisible();
  await page.screenshot({ path: test.info().outputPath("staff-case-1440.png") });
  await expectAccessible(page);
  await page.setViewportSize({ width: 1280, height: 800 });
  const amounts: Record<string, string> = { approved_debit_1: "100000", approved_debit_2: "50000", approved_debit_3: "30000" };
  for (const [name, value] of Object.entries(amounts)) await page.locator(`#${name}`).fill(value);
  // Nothing is chosen for the reviewer.
  await expect(page.getByLabel("認定額を支払う")).not.toBeChecked();
  await expect(page.getByLabel("申請を認めない(承認者が確認します)")).not.toBeChecked();
  await page.getByLabel("認定額を支払う").check();
  await page.getByRole("button", { name: "査定して承認者に回す" }).click();
  await expect(page.locator(".error-summary")).toContainText("この注意事項を確認したことをメモに書いてください。");
  await expectAccessible(page);
  // Acknowledge each flag with a note, and assess.
  const acks = page.locator('textarea[name^="ack_"]');
  const count = await acks.count();
  expect(count).toBeGreaterThan(0);
  for (let i = 0; i < count; i++) await acks.nth(i).fill("2020年の事件の被害として銀行が確認済み");
  for (const [name, value] of Object.entries(amounts)) await page.locator(`#${name}`).fill(value);
  await page.getByLabel("認定額を支払う").check();
  await page.getByRole("button", { name: "査定して承認者に回す" }).click();
  await expect(page.getByRole("status").first()).toContainText("査定を保存し、承認者に回しました。");
  await expect(page.locator(".staff-history")).toContainText("reviewer@redress.example");
  await expectAccessible(page);
  await logout(page);

  // The first approver: the case stays assessed until a second one approves.
  await login(page, "approver@redress.example");
  await page.goto(`/staff/claims/${reference}`);
  await expect(page.locator(".approval-total")).toContainText("180,990");
  await expect(page.getByText("この金額には承認者2名の承認が必要です。これまでの承認: 0名")).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("button", { name: "承認する" }).click();
  await expect(page.getByRole("status").first()).toContainText("1人目の承認を記録しました");
  // The same approver is not offered a second approval.
  await expect(page.getByRole("button", { name: "承認する" })).toHaveCount(0);
  await expectAccessible(page);
  await logout(page);

  await login(page, "approver2@redress.example");
  await page.goto(`/staff/claims/${reference}`);
  await page.getByRole("button", { name: "承認する" }).click();
  await expect(page.getByRole("status").first()).toContainText("承認しました。");
  await expect(page.locator(".summary-list").first()).toContainText("承認済み");
  await expectAccessible(page);
});

test("a rejection is proposed, confirmed by an approver, and appealed by the claimant", async ({ page }) => {
  const reference = await claimInReview(page, "村上 誠", "ムラカミ マコト");
  await login(page, "reviewer@redress.example");
  await page.goto(`/staff/claims/${reference}`);
  const acks = page.locator('textarea[name^="ack_"]');
  for (let i = 0; i < (await acks.count()); i++) await acks.nth(i).fill("確認しました");
  // The rejection's fields appear only once "reject" is chosen.
  await expect(page.getByLabel("認めない理由")).toBeHidden();
  await page.getByLabel("申請を認めない(承認者が確認します)").check();
  await expect(page.getByLabel("認めない理由")).toBeVisible();
  await page.getByLabel("認めない理由").selectOption("insufficient_evidence");
  await page.getByLabel("申請者への説明(申請者が読みます)").fill("引き出しを確認できる通帳の写しが見つかりませんでした。");
  await page.getByRole("button", { name: "査定して承認者に回す" }).click();
  await expect(page.getByRole("status").first()).toContainText("査定を保存し");
  await logout(page);

  await login(page, "approver@redress.example");
  await page.goto(`/staff/claims/${reference}`);
  await expect(page.locator(".rejection-box")).toContainText("被害を確認できる資料がありません");
  await expect(page.getByRole("button", { name: "承認する" })).toHaveCount(0);
  await expectAccessible(page);
  await page.getByRole("button", { name: "不承認を確定する" }).click();
  await expect(page.getByRole("status").first()).toContainText("不承認を確定しました");
  // The history says the reason in words, never its code, in both languages.
  await expect(page.locator(".staff-history")).toContainText("被害を確認できる資料がありません");
  await expect(page.locator("main")).not.toContainText("insufficient_evidence");
  await page.getByRole("button", { name: "English" }).click();
  await expect(page.locator(".staff-history")).toContainText("There is not enough evidence of the loss");
  await expect(page.locator("main")).not.toContainText("insufficient_evidence");
  await page.getByRole("button", { name: "日本語" }).click();
  await logout(page);

  // The claimant reads why, in plain words, and appeals.
  await login(page, "claimant@redress.example");
  await page.goto(`/claims/${reference}`);
  await expect(page.locator(".rejection-box")).toContainText("被害を確認できる資料がありません");
  await expect(page.locator(".rejection-box")).toContainText("通帳の写し");
  await expect(page.locator(".rejection-box")).not.toContainText("reviewer@");
  await expectAccessible(page);
  await page.getByLabel("納得できない理由").fill("通帳の写しを追加で送ります。");
  await page.getByRole("button", { name: "不服を申し立てる" }).click();
  await expect(page.getByRole("status").first()).toContainText("不服申し立てを受け付けました");
  await expect(page.locator(".summary-list").first()).toContainText("審査中");
  await expectAccessible(page);
});

test("an admin writes a new policy version; the queue filters by flag and sorts by the clock", async ({ page }) => {
  await login(page, "admin@redress.example");
  await page.goto("/admin/policy");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("補償方針");
  await expectAccessible(page);
  // Without the reason for the change: named beside the field and above.
  await page.getByLabel("1回の引き出しの上限").fill("100,000");
  await page.getByRole("button", { name: "新しい版として保存" }).click();
  await expect(page.locator(".error-summary")).toBeVisible();
  await expect(page.locator("#policy_note-error")).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel("変更の理由").fill("委員会の決定(上限は変えず、記録のため)");
  await page.getByRole("button", { name: "新しい版として保存" }).click();
  await expect(page.getByRole("status").first()).toContainText("新しい版を保存しました");
  await expect(page.locator("table")).toContainText("委員会の決定");
  await expectAccessible(page);

  // The queue: a flag filter, the flags of each case, the clock order.
  await page.goto("/staff/queue?state=submitted&flag=flag_same_contact&sort=sla");
  await expect(page.getByLabel("注意事項")).toHaveValue("flag_same_contact");
  await expect(page.locator("tbody tr").first()).toContainText("同じ連絡先");
  await expectAccessible(page);
});

/** payments@ has a new password once journey.spec's reset test (run earlier) has set one. */
async function loginPayments(page: Page) {
  for (const password of ["umi-no-mieru-machi", "redress-demo-2020"]) {
    await page.goto("/login");
    await page.getByLabel(/Email address|メールアドレス/).fill("payments@redress.example");
    await page.getByLabel(/^(Password|パスワード)$/).fill(password);
    const posted = page.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith("/login"));
    await page.getByRole("button", { name: /^(Log in|ログイン)$/ }).click();
    await posted;
    await page.waitForLoadState("load");
    if (new URL(page.url()).pathname !== "/login") {
      await secondStep(page, "payments@redress.example");
      return;
    }
  }
  throw new Error("payments@redress.example could not log in");
}

// Runs after the two-approver test above, which leaves an approved case.
test("payments staff make a batch, an approver releases it, the file is exported and the result recorded", async ({ page }) => {
  await loginPayments(page);
  await page.goto("/payments");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("支払い");
  await expectAccessible(page);
  // A Sunday far ahead is refused beside the field.
  await page.getByLabel("振込指定日").fill("2030-01-06");
  await page.getByRole("button", { name: "バッチを作る" }).click();
  await expect(page.locator("#transfer_date-error")).toContainText("銀行の営業日");
  await expectAccessible(page);
  await page.getByLabel("振込指定日").fill("2030-01-07");
  await page.getByRole("button", { name: "バッチを作る" }).click();
  await expect(page.getByRole("status").first()).toContainText("バッチを作りました");
  const batchUrl = page.url().replace(/\?.*$/, "");
  await expect(page.locator(".summary-list")).toContainText("承認待ち");
  await expectAccessible(page);
  await logout(page);

  await login(page, "approver@redress.example");
  await page.goto(batchUrl);
  await page.getByRole("button", { name: "このバッチを承認する" }).click();
  await expect(page.getByRole("status").first()).toContainText("バッチを承認しました");
  await expectAccessible(page);
  await logout(page);

  await loginPayments(page);
  await page.goto(batchUrl);
  const file = await page.request.get(`${batchUrl}/zengin.txt`);
  expect(file.status()).toBe(200);
  const bytes = await file.body();
  expect(bytes.length % 122).toBe(0);
  expect(bytes[0]).toBe("1".charCodeAt(0));
  const reference = (await page.locator("tbody tr td").first().innerText()).trim();
  await page.getByLabel("申請番号").fill(reference);
  await page.getByLabel("振込済み").check();
  // Paid today (Japan time): a later date, or one before the release, is refused.
  const today = new Date(Date.now() + 9 * 3600 * 1000).toISOString().slice(0, 10);
  await page.getByLabel("振込日").fill("2030-01-08");
  await page.getByRole("button", { name: "結果を記録する" }).click();
  await expect(page.locator("#paid_on-error")).toContainText("今日(日本時間)より後");
  await expectAccessible(page);
  await page.getByLabel("申請番号").fill(reference);
  await page.getByLabel("振込済み").check();
  await page.getByLabel("振込日").fill(today);
  await page.getByRole("button", { name: "結果を記録する" }).click();
  await expect(page.getByRole("status").first()).toContainText("銀行の結果を記録しました");
  await expect(page.locator("tbody")).toContainText(`振込済み ${today}`);
  await expectAccessible(page);
  await logout(page);

  // The claimant's paid claim: what was approved, what was paid, when and
  // where to (masked), on a phone without sideways scrolling, in both languages.
  await login(page, "claimant@redress.example");
  for (const width of [390, 320]) {
    await page.setViewportSize({ width, height: 800 });
    await page.goto(`/claims/${reference}`);
    const money = page.locator(".compensation");
    await expect(money).toContainText("認定額");
    await expect(money).toContainText(`${today}に振り込みました`);
    await expect(money).toContainText(/\*+\d{3}/);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    await page.screenshot({ path: test.info().outputPath(`paid-claim-${width}.png`), fullPage: true });
  }
  await expectAccessible(page);
  await page.goto("/claims");
  await expect(page.locator(".claim-list").last()).toContainText("支払額");
  await page.getByRole("button", { name: "English" }).click();
  await page.goto(`/claims/${reference}`);
  await expect(page.locator(".compensation")).toContainText(`paid on ${today}`);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
  await page.screenshot({ path: test.info().outputPath("paid-claim-320-en.png"), fullPage: true });
  await page.getByRole("button", { name: "日本語" }).click();
  await page.setViewportSize({ width: 1280, height: 800 });

  // The page where a claimant gives another account after a failed
  // transfer (this one was paid: the form would be refused, the page is the same).
  await page.goto(`/claims/${reference}/payout-account`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("補償金の受取口座を指定する");
  await expectAccessible(page);
  await page.getByRole("button", { name: "この口座を指定する" }).click();
  await expect(page.locator(".error-summary")).toBeVisible();
  await expectAccessible(page);
  await logout(page);

  await login(page, "admin@redress.example");
  await page.goto("/admin/ledger");
  await expect(page.getByRole("status").first()).toContainText("台帳はすべての検査に合格しています");
  await expectAccessible(page);

  // Where a bank's notices go; a bad address is named beside its field.
  await page.goto("/admin/banks");
  await expectAccessible(page);
  await page.getByLabel("銀行の代表メールアドレス（任意）").fill("not an address");
  await page.getByRole("button", { name: "宛先を保存" }).click();
  await expect(page.locator(".error-summary")).toBeVisible();
  await expect(page.locator("#notify_email-error")).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel("銀行名").selectOption("0125");
  await page.getByLabel("銀行の代表メールアドレス（任意）").fill("notices@bank.example");
  await page.getByRole("button", { name: "宛先を保存" }).click();
  await expect(page.getByRole("status").first()).toContainText("お知らせの宛先を保存しました");
  await expect(page.locator("table").first()).toContainText("notices@bank.example");
  await expectAccessible(page);
  // The mail that has not gone out yet.
  await page.goto("/admin/mail");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("送信できていないメール");
  await expectAccessible(page);
});
