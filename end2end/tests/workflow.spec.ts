import { expect, test } from "@playwright/test";
import { expectAccessible, fileFullClaim, login, logout } from "./helpers";

// The server runs with REDRESS_SECOND_APPROVAL_ABOVE=100000 (playwright.config):
// this claim of 180,990 yen needs two approvers.
test("a reviewer assesses with every flag acknowledged; two approvers approve", async ({ page }) => {
  await login(page, "claimant@redress.example");
  const reference = await fileFullClaim(page, { axe: false, name: "佐々木 実", kana: "ササキ ミノル" });
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
  await logout(page);

  // The reviewer sees the flags; assessing without acknowledging them fails.
  await login(page, "reviewer@redress.example");
  await page.goto(`/staff/claims/${reference}`);
  await expect(page.locator(".checks")).toContainText("対象期間(申請前90日)より前の引き出し");
  await expectAccessible(page);
  const amounts: Record<string, string> = { approved_debit_1: "100000", approved_debit_2: "50000", approved_debit_3: "30000" };
  for (const [name, value] of Object.entries(amounts)) await page.locator(`#${name}`).fill(value);
  await page.getByRole("button", { name: "査定して承認者に回す" }).click();
  await expect(page.locator(".error-summary")).toContainText("この注意事項を確認したことをメモに書いてください。");
  await expectAccessible(page);
  // Acknowledge each flag with a note, and assess.
  const acks = page.locator('textarea[name^="ack_"]');
  const count = await acks.count();
  expect(count).toBeGreaterThan(0);
  for (let i = 0; i < count; i++) await acks.nth(i).fill("2020年の事件の被害として銀行が確認済み");
  for (const [name, value] of Object.entries(amounts)) await page.locator(`#${name}`).fill(value);
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
