import { expect, test } from "@playwright/test";
import { expectAccessible, login, logout } from "./helpers";

test("a bank clerk confirms two lines and disputes one; the case moves on by itself", async ({ page }) => {
  await login(page, "bank.77@redress.example");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("確認待ちの引き出し");
  await expect(page.getByRole("status")).toContainText("2件の申請、3件の引き出し");
  await expectAccessible(page);

  // The browser checks the form with the server's rules before sending.
  await page.getByRole("link", { name: "RD-000001 #1" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("引き出しの確認");
  await expectAccessible(page);
  await page.locator("#confirmed_amount").fill("");
  await page.getByRole("button", { name: "保存する" }).click();
  await expect(page.getByRole("alert")).toContainText("確認したか異議があるかを選んでください");
  await expectAccessible(page);

  // Less than claimed needs the bank's reason: asked beside its field.
  await page.locator("#verdict").check();
  await page.locator("#confirmed_amount").fill("90000");
  await page.getByRole("button", { name: "保存する" }).click();
  await expect(page.locator("#less_reason-error")).toContainText("申請額より少ない金額を確認する理由を入力してください");
  await expect(page.locator(".error-summary")).toContainText("申請額より少ない金額を確認する理由");
  await expectAccessible(page);

  // Confirm line 1 as claimed (the bank's figures start as the claimed ones).
  await page.locator("#verdict").check();
  await page.locator("#confirmed_amount").fill("100000");
  await page.getByRole("button", { name: "保存する" }).click();
  await expect(page.getByRole("status")).toContainText("回答を保存しました");
  await expectAccessible(page);

  // Line 2 with the one-step form: asked to tick first, then every open line
  // is confirmed as claimed; the claim has no open line and goes to review.
  await page.getByRole("button", { name: "1件をすべて確認済みにする" }).click();
  await expect(page.locator("#checked_all-error")).toContainText("銀行の記録と照合したことを確認してください");
  await expectAccessible(page);
  await expect(page.locator("#confirm-all-title + p")).toContainText("口座名義「");
  await page.getByLabel("上の引き出しと口座名義をすべて銀行の記録と照合しました").check();
  await page.getByRole("button", { name: "1件をすべて確認済みにする" }).click();
  await expect(page.getByRole("status")).toContainText("未回答の引き出しをすべて確認済みにしました");
  await expect(page.locator(".summary-list").first()).toContainText("審査中");
  await expect(page.getByRole("button", { name: /すべて確認済みにする/ })).toHaveCount(0);
  await expect(page.locator(".timeline")).toContainText("bank.77@redress.example");

  // Dispute the line of the other claim, with a reason.
  await page.goto("/bank/queue");
  await expect(page.getByRole("status")).toContainText("1件の申請、1件の引き出し");
  await page.getByRole("link", { name: "RD-000003 #1" }).click();
  await page.locator("#verdict-1").check();
  await page.locator("#reason").selectOption("no_such_debit");
  await page.getByRole("button", { name: "保存する" }).click();
  await expect(page.getByRole("status")).toContainText("回答を保存しました");
  await expect(page.locator(".claim-list")).toContainText("異議あり");
  await expectAccessible(page);

  // The bank's own list: one probable match (a day off) and one debit no claim names.
  await page.getByRole("link", { name: "一覧の取り込み" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("銀行の不正引き出し一覧を取り込む");
  await expectAccessible(page);
  const csv = [
    "支店番号,預金種目,口座番号,口座名義,取引日,金額,摘要,取引番号",
    "100,普通,5550123,タカハシ カズコ,2020-09-08,200000,ドコモコウザ,E2E-1",
    "100,普通,8887776,イトウ ジロウ,2020-09-09,45000,ドコモコウザ,E2E-2",
    "100,普通,8887776,イトウ ジロウ,2020-09-31,45000,ドコモコウザ,E2E-3",
  ].join("\n");
  await page.locator("#file").setInputFiles({ name: "list.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await page.getByRole("button", { name: "アップロードする" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("取り込みの結果");
  await expect(page.getByRole("status")).toContainText("3行：一致 0、要確認 1、申請なし 1、取り込み済み 0、不備 1");
  await expectAccessible(page);
  await page.getByRole("button", { name: /一致を確定/ }).click();
  await expect(page.getByText("確認が必要な一致").locator("xpath=following-sibling::p[2]")).toHaveText("なし");
  await page.goto("/bank/claims/RD-000003");
  await expect(page.locator(".claim-list")).toContainText("確認済み");

  // The answered lines, by the status filter.
  await page.goto("/bank/queue");
  await page.locator("#status").selectOption("answered");
  await page.getByRole("button", { name: "絞り込む" }).click();
  await expect(page.getByRole("status")).toContainText("2件の申請、3件の引き出し");
  await expectAccessible(page);
  await logout(page);

  // The operator sees the unmatched debit and writes a letter with a claim code.
  await login(page, "reviewer@redress.example");
  await page.getByRole("link", { name: "銀行が報告した被害" }).click();
  await expect(page.locator("table")).toContainText("E2E-2");
  await expectAccessible(page);
  await page.getByRole("button", { name: /案内状を作成 E2E-2/ }).click();
  await expect(page.getByRole("status")).toContainText("この一度だけ");
  await expectAccessible(page);
  const letter = (await page.locator(".letter").textContent())!;
  const code = /請求コード：([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})/.exec(letter)![1];
  await logout(page);

  // The holder starts a claim with the code: the debit is already there.
  await login(page, "claimant@redress.example");
  await page.goto("/claims/new");
  await page.locator("#claim_code").fill(code.toLowerCase());
  await page.getByRole("button", { name: "コードで申請を始める" }).click();
  await expect(page.locator(".task-list")).toBeVisible();
  await page.locator('.task-list a[href$="/debits"]').click();
  await expect(page.locator(".total")).toContainText("45,000円");
  await expectAccessible(page);
  await logout(page);

  // The claimant sees that the bank checked the debits, without names.
  await login(page, "claimant@redress.example");
  await page.goto("/claims/RD-000001");
  await expect(page.locator(".timeline")).toContainText("銀行が引き出しを確認しました");
  await expect(page.locator("main")).not.toContainText("bank.77@");

  // An admin sees who opened which case.
  await logout(page);
  await login(page, "admin@redress.example");
  await page.goto("/admin/views");
  await expect(page.locator("table")).toContainText("bank.77@redress.example");
  await expectAccessible(page);
});

test("a bank's lead user chooses where the bank's notices go", async ({ page }) => {
  await login(page, "bank.77@redress.example");
  await page.getByRole("link", { name: "お知らせの宛先" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("銀行へのお知らせの宛先");
  await expectAccessible(page);
  // Neither an address nor the users: refused beside the field.
  await page.getByLabel("この銀行の担当者全員にも送る").uncheck();
  await page.getByRole("button", { name: "宛先を保存" }).click();
  await expect(page.locator(".error-summary")).toBeVisible();
  await expect(page.locator("#notify_users-error")).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel("銀行の代表メールアドレス（任意）").fill("notices@bank0125.example");
  await page.getByRole("button", { name: "宛先を保存" }).click();
  await expect(page.getByRole("status").first()).toContainText("お知らせの宛先を保存しました");
  await expect(page.getByLabel("銀行の代表メールアドレス（任意）")).toHaveValue("notices@bank0125.example");
  await expectAccessible(page);
});
