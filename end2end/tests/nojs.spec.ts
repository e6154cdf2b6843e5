import { expect, test } from "@playwright/test";
import { expectAccessible, fileFullClaim, login } from "./helpers";

test.describe("with JavaScript off", () => {
  test.use({ javaScriptEnabled: false });

  test("a whole claim is written, uploaded and sent with plain form posts", async ({ page }) => {
    await login(page, "claimant@redress.example");
    // Bad input first: a 422 page with the errors, the typed text kept.
    await page.goto("/claims/new");
    await page.locator("#start").click();
    await page.locator('.task-list a[href$="/about"]').click();
    await page.locator("#full_name").fill("山田 太郎");
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith("/about") && r.request().method() === "POST"),
      page.getByRole("button", { name: "保存して続ける" }).click(),
    ]);
    expect(response.status()).toBe(422);
    await expect(page.locator("#name_kana-error")).toBeVisible();
    await expect(page.locator("#full_name")).toHaveValue("山田 太郎");
    // (axe-core needs JavaScript; the same pages are scanned in the journey tests.)

    // Half-width kana as a bank's form would have it, a ゆうちょ passbook.
    const reference = await fileFullClaim(page, {
      axe: false,
      js: false,
      name: "山田 太郎",
      kana: "ﾔﾏﾀﾞ ﾀﾛｳ",
      accounts: [["10530-12345671", ["30000", "20000"]]],
    });
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("申請を受け付けました");
    await page.goto("/claims");
    await expect(page.getByRole("link", { name: reference })).toBeVisible();
  });
});

test.describe("on a 320 px screen", () => {
  test.use({ viewport: { width: 320, height: 640 } });

  test("the claimant's pages fit without sideways scrolling", async ({ page }) => {
    for (const path of ["/", "/login", "/register"]) {
      await page.goto(path);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
    }
    await login(page, "claimant@redress.example");
    await page.goto("/claims/new");
    await page.locator("#start").click();
    const draft = new URL(page.url()).pathname;
    const paths = ["/claims", "/claims/new", "/claims/RD-000001", "/claims/RD-000003", "/claims/RD-000003/reply", draft];
    for (const section of ["about", "debits", "add-account", "calls", "add-call", "travel", "add-journey", "evidence", "check"]) {
      paths.push(`${draft}/${section}`);
    }
    for (const path of paths) {
      await page.goto(path);
      expect(await page.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(320);
      await expectAccessible(page);
    }
    await page.screenshot({ path: "test-results/claim-320.png", fullPage: true });
  });
});
