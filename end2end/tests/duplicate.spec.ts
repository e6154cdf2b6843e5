import { expect, Page, test } from "@playwright/test";
import { expectAccessible, fileFullClaim, login, logout } from "./helpers";

// Accounts of their own, so that no other test's claims name these debits.
const SAME_DEBIT: [string, string[]][] = [["3456789", ["76340"]]];

/** The demo claimant files a claim of one debit of 76,340 yen; the bank
 * confirms it (with no transaction reference): the case is in review. */
async function sameDebitInReview(page: Page, name: string): Promise<string> {
  await login(page, "claimant@redress.example");
  const reference = await fileFullClaim(page, { axe: false, name, kana: "ヤマダ ハナコ", accounts: SAME_DEBIT });
  await logout(page);
  await login(page, "bank.77@redress.example");
  await page.goto(`/bank/claims/${reference}`);
  await page.getByRole("link", { name: /回答する #1$/ }).click();
  await page.locator("#verdict").check();
  await page.getByRole("button", { name: "保存する" }).click();
  await expect(page.getByRole("status")).toContainText("回答を保存しました");
  // The payout account's bank says the account is the claimant's (approval needs it).
  await page.goto(`/bank/claims/${reference}`);
  await page.getByLabel("本人名義です").check();
  await page.getByRole("button", { name: "保存する", exact: true }).click();
  await expect(page.getByRole("status").first()).toContainText("口座の確認結果を保存しました");
  await logout(page);
  return reference;
}

/** The reviewer acknowledges every flag and assesses the debit in full. */
async function assessInFull(page: Page, reference: string) {
  await page.goto(`/staff/claims/${reference}`);
  const acks = page.locator('textarea[name^="ack_"]');
  for (let i = 0; i < (await acks.count()); i++) await acks.nth(i).fill("家族の申請と重複の可能性あり。確認済み");
  await page.locator("#approved_debit_1").fill("76340");
  await page.getByLabel("認定額を支払う").check();
  await page.getByRole("button", { name: "査定して承認者に回す" }).click();
}

test("a second claim of the same debit: its approval is refused with a link to the first, and it is closed as a duplicate", async ({ page }) => {
  const first = await sameDebitInReview(page, "山田 花子");
  // A relative files the same account and the same debit.
  const second = await sameDebitInReview(page, "山田 太郎");

  // Both are assessed while neither is approved (the flag names the other).
  await login(page, "reviewer@redress.example");
  for (const reference of [first, second]) {
    await assessInFull(page, reference);
    await expect(page.getByRole("status").first()).toContainText("査定を保存し、承認者に回しました。");
  }
  await logout(page);

  // The first is approved: the debit is reserved for it.
  await login(page, "approver@redress.example");
  await page.goto(`/staff/claims/${first}`);
  await page.getByRole("button", { name: "承認する" }).click();
  await expect(page.getByRole("status").first()).toContainText("承認しました。");

  // The second: the page names the case holding the debit, with a link,
  // and the approval is refused.
  await page.goto(`/staff/claims/${second}`);
  const held = page.locator(".held-elsewhere");
  await expect(held).toContainText("他の案件が確保している引き出し");
  await expect(held.getByRole("link", { name: first })).toHaveAttribute("href", `/staff/claims/${first}`);
  await expectAccessible(page);
  await page.getByRole("button", { name: "承認する" }).click();
  await expect(page.locator(".error-summary")).toContainText("この引き出しは別の案件ですでに承認");
  await expect(page.locator(".held-elsewhere").getByRole("link", { name: first })).toBeVisible();
  await expect(page.locator(".summary-list").first()).toContainText("審査済み");
  await expectAccessible(page);
  // On a phone: the refusal and the other case's link fit the screen.
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.locator(".held-elsewhere").screenshot({ path: "test-results/duplicate-held-390.png" });
  await page.screenshot({ path: "test-results/duplicate-refused-390.png" });
  await page.setViewportSize({ width: 1280, height: 900 });
  // Sent back to the reviewer.
  await page.getByLabel("差し戻しの理由").fill("同じ引き出しが別の案件で承認済み");
  await page.getByRole("button", { name: "査定に差し戻す" }).click();
  await expect(page.getByRole("status").first()).toBeVisible();
  await logout(page);

  // The reviewer cannot assess it to pay that debit; closes it as a duplicate.
  await login(page, "reviewer@redress.example");
  await assessInFull(page, second);
  await expect(page.locator("#approved_debit_1-error")).toContainText("この引き出しは別の案件ですでに承認");
  await expectAccessible(page);
  await page.getByLabel("重複している申請の受付番号(例: RD-000004)").fill(first);
  await page.getByRole("button", { name: "重複として閉じる" }).click();
  await expect(page.getByRole("status").first()).toContainText("重複として閉じました");
  await expect(page.locator(".summary-list").first()).toContainText("重複");
  await expectAccessible(page);
});
