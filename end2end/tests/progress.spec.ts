import { expect, test } from "@playwright/test";
import { expectAccessible, login } from "./helpers";

// Runs last: its long list leaves many bank-reported losses behind.
test("a bank's lead user makes an API key, and reads the API's documentation in both languages", async ({ page }) => {
  await login(page, "bank.77@redress.example");
  await page.getByRole("link", { name: "APIキー" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("銀行システムのAPIキー");
  // A lead user's key is for their own bank: there is no bank field to fill.
  await expect(page.locator("#bank_code")).toHaveCount(0);
  await expectAccessible(page);
  await page.locator("#label").fill("勘定系システム");
  await page.getByRole("button", { name: "キーを作成する" }).click();
  await expect(page.locator("code.api-key")).toContainText(/^rdk_[0-9a-f]{64}$/);
  await expect(page.locator("main")).toContainText("0125 勘定系システム");
  await expectAccessible(page);

  // The API's documentation, generated from the code, in both languages.
  await page.getByRole("link", { name: "APIの説明を読む" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("銀行システム向けAPIの説明");
  await expect(page.locator("main")).toContainText("POST /api/v1/lines/{id}/verification");
  await expect(page.locator("main")).toContainText("Idempotency-Key");
  await expectAccessible(page);
  await page.getByRole("button", { name: "English" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("The API for bank systems");
  await expectAccessible(page);
  await page.getByRole("button", { name: "日本語" }).click();

});

// A long list is worked through in the background. Without JavaScript the
// page shows how far it has got and a link to look again; with JavaScript
// the figure moves and the page turns into the report by itself.
test("a long bank list shows its progress, then its report, with and without JavaScript", async ({ browser, baseURL }) => {
  const rows = ["支店番号,預金種目,口座番号,口座名義,取引日,金額,摘要,取引番号"];
  for (let i = 0; i < 100_000; i++) {
    rows.push(`100,普通,${String(4_000_000 + i)},ワタナベ ケン,2020-09-21,${1000 + (i % 50_000)},ドコモコウザ,LONG-${i}`);
  }
  const plain = await (await browser.newContext({ baseURL, locale: "ja-JP", javaScriptEnabled: false })).newPage();
  await login(plain, "bank.77@redress.example");
  await plain.goto("/bank/import");
  await plain.locator("#file").setInputFiles({ name: "long.csv", mimeType: "text/csv", buffer: Buffer.from(rows.join("\n")) });
  const [shown] = await Promise.all([
    plain.waitForResponse((r) => /\/bank\/imports\/[0-9a-f-]+$/.test(r.url()) && r.request().method() === "GET"),
    plain.getByRole("button", { name: "アップロードする" }).click(),
  ]);
  await expect(plain.getByRole("heading", { level: 1 })).toHaveText("一覧を処理しています");
  await expect(plain.locator("progress")).toBeVisible();
  await expect(plain.locator(".import-progress [role=status]")).toContainText("100000 行のうち");
  const processingHtml = await shown.body();
  const headers = { ...shown.headers() };
  delete headers["content-encoding"];
  delete headers["content-length"];

  // With JavaScript: the same page, as the server sent it while processing.
  const page = await (await browser.newContext({ baseURL, locale: "ja-JP" })).newPage();
  await login(page, "bank.77@redress.example");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await page.route(shown.url(), (route) => route.fulfill({ status: 200, headers, body: processingHtml }));
  await page.route("**/poll_import*", (route) => route.abort());
  const code: string[] = [];
  page.on("request", (r) => {
    if (/\/pkg\/.*\.(js|wasm)$/.test(r.url())) code.push(new URL(r.url()).pathname);
  });
  await page.goto(shown.url());
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("一覧を処理しています");
  await expectAccessible(page);
  // Let the island ask the server: it reloads the page once the import is done.
  await page.unrouteAll();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("取り込みの結果", { timeout: 50_000 });
  await expect(page.getByRole("status")).toContainText("100000行：一致 0、要確認 0、申請なし 100000");
  // The progress island is a staff page's: that page loaded the whole build
  // of the islands, not the claimant's.
  expect(code.filter((p) => p.endsWith(".wasm"))[0]).toMatch(/^\/pkg\/redress\.[0-9a-f]{16}\.wasm$/);
  await expectAccessible(page);

  // Without JavaScript, "Check again" shows the report too.
  await plain.getByRole("link", { name: "もう一度確認する" }).click();
  await expect(plain.getByRole("heading", { level: 1 })).toHaveText("取り込みの結果");
});
