import { expect, test } from "@playwright/test";
import { expectAccessible, login, logout } from "./helpers";

test.describe("with JavaScript off", () => {
  test.use({ javaScriptEnabled: false });

  test("the dashboard draws its charts and tables on the server; a bank user sees their bank only", async ({ page }) => {
    await login(page, "reviewer@redress.example");
    await page.goto("/dashboard");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("ダッシュボード");
    await expect(page.locator("svg[role=img]")).toHaveCount(3);
    await expect(page.getByRole("img", { name: "状況ごとの案件数" })).toBeVisible();
    await expect(page.locator(".report-table")).toContainText("合計");
    // When the figures were counted, and a way to count them again now.
    await expect(page.locator("main")).toContainText("集計時刻（日本時間）");
    await page.getByRole("link", { name: "今すぐ集計し直す" }).click();
    await expect(page).toHaveURL(/\/dashboard\?refresh=1$/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("ダッシュボード");
    await logout(page);

    await login(page, "bank.77@redress.example");
    await page.getByRole("link", { name: "ダッシュボード" }).click();
    await expect(page.getByRole("status").first()).toContainText("七十七");
    await expect(page.locator(".report-table")).not.toContainText("ゆうちょ");
  });
});

test("the dashboard passes axe for operator staff and for a bank user", async ({ page }) => {
  await login(page, "reviewer@redress.example");
  await page.goto("/dashboard");
  await expect(page.locator("svg[role=img]")).toHaveCount(3);
  await expectAccessible(page);
  await page.locator("details summary").click();
  await expectAccessible(page);
  await logout(page);
  await login(page, "bank.77@redress.example");
  await page.goto("/dashboard");
  await expectAccessible(page);
});

test("an approver reads the regulator's report, freezes it and opens the frozen one", async ({ page }) => {
  await login(page, "approver@redress.example");
  await page.getByRole("link", { name: "監督官庁への報告" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("監督官庁への報告");
  await expectAccessible(page);
  // A moment still to come: named beside the field and above.
  await page.getByLabel("基準日時").fill("2099-01-01T00:00");
  await page.getByRole("button", { name: "この日時で集計する" }).click();
  await expect(page.locator(".error-summary")).toBeVisible();
  await expect(page.locator("#as_of-error")).toContainText("これから先の日時");
  await expectAccessible(page);
  await page.goto("/reports");
  await page.getByRole("button", { name: "この内容で確定する" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("監督官庁への報告 #");
  await expect(page.locator(".report-table").first()).toContainText("合計");
  // Call and travel costs per bank, and the cases in each state at the
  // report's moment (in the staff's words for states).
  const byBank = page.getByRole("table", { name: "銀行ごと（引き出しの明細と通話料・交通費）" });
  await expect(byBank.getByRole("columnheader", { name: "通話料の申請額" })).toBeVisible();
  await expect(byBank.getByRole("columnheader", { name: "交通費の承認額" })).toBeVisible();
  const byState = page.getByRole("table", { name: "状況ごとの案件数（報告の時点）" });
  await expect(byState.getByRole("columnheader", { name: "審査中", exact: true })).toBeVisible();
  await expect(byState.getByRole("columnheader", { name: "不承認", exact: true })).toBeVisible();
  await expect(byState.getByRole("row").last()).toContainText("合計");
  await expectAccessible(page);
  // The files in the regulator's language by default, and in English.
  const csv = page.getByRole("link", { name: "CSV", exact: true });
  await expect(csv).toHaveCount(2);
  let download = page.waitForEvent("download");
  await csv.first().click();
  expect((await download).suggestedFilename()).toMatch(/^report-\d+-ja\.csv$/);
  download = page.waitForEvent("download");
  await csv.nth(1).click();
  expect((await download).suggestedFilename()).toMatch(/^report-\d+-en\.csv$/);
  download = page.waitForEvent("download");
  await page.getByRole("link", { name: "報告の概要(CSV)" }).first().click();
  expect((await download).suggestedFilename()).toMatch(/^report-\d+-about-ja\.csv$/);
  // The same tables in English.
  await page.getByRole("button", { name: "English" }).click();
  const english = page.getByRole("table", { name: "Cases in each state at the moment of the report" });
  await expect(english.getByRole("columnheader", { name: "In review", exact: true })).toBeVisible();
  await expect(page.getByRole("table", { name: "By bank (debit lines, call and travel costs)" })).toContainText("Total");
  await expect(page.getByText("A case with debits at two banks is counted in both banks' rows")).toBeVisible();
  await expectAccessible(page);
});
