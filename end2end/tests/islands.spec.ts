import { expect, test } from "@playwright/test";
import { expectAccessible, login } from "./helpers";

// Known issue: on the first Playwright run after a clean build this test has
// twice seen no suggestion within 30 s, then passed on every rerun. One retry,
// and everything the page logged is printed, to find the cause.
test.describe.configure({ retries: 1 });

test("the branch lookup island suggests branches as a person types, and fills in the code", async ({ page }) => {
  const errors: string[] = [];
  const log: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    log.push(`console ${m.type()}: ${m.text()}`);
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("requestfailed", (r) => log.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on("response", (r) => {
    if (r.url().includes("/pkg/") || r.url().includes("/api/")) log.push(`response ${r.status()} ${r.url()}`);
  });

  await login(page, "claimant@redress.example");
  await page.goto("/claims/new");
  await page.locator("#start").click();
  await page.goto(new URL(page.url()).pathname + "/add-account");
  await page.locator("#bank").selectOption("0125");
  const suggestion = page.getByRole("button", { name: /本店営業部 \(100\)/ });
  try {
    // Typing before the island's WebAssembly has loaded reaches no listener:
    // type again until it answers (it must within 30 s).
    await expect(async () => {
      await page.locator("#branch").fill("");
      await page.locator("#branch").pressSequentially("本店");
      await expect(suggestion).toBeVisible({ timeout: 2_000 });
    }).toPass({ timeout: 30_000 });
  } catch (e) {
    console.log(["island did not answer; what the page did:", ...log].join("\n  "));
    throw e;
  }
  await expectAccessible(page);
  await suggestion.click();
  await expect(page.locator("#branch")).toHaveValue("100");
  await expect(suggestion).toHaveCount(0);
  expect(errors, "no script errors (CSP included)").toEqual([]);
});

test("the browser's files come named by their content, kept a year, and brotli-compressed", async ({ page }) => {
  const files: { url: string; encoding?: string; cache?: string; bytes: number }[] = [];
  page.on("response", async (r) => {
    if (!r.url().includes("/pkg/")) return;
    const sizes = await r.request().sizes();
    const h = await r.allHeaders();
    files.push({ url: new URL(r.url()).pathname, encoding: h["content-encoding"], cache: h["cache-control"], bytes: sizes.responseBodySize });
  });
  // A page without an island downloads no WebAssembly (nor its JS).
  await page.goto("/login");
  await page.evaluate(() => new Promise((done) => requestIdleCallback(() => setTimeout(done, 300))));
  expect(files.filter((f) => /\.(js|wasm)$/.test(f.url)), "no code on /login").toEqual([]);
  await login(page, "claimant@redress.example");
  await page.goto("/claims/new");
  await page.locator("#start").click();
  await page.goto(new URL(page.url()).pathname + "/about");
  await expect(page.locator("#postal_code[data-lookup]")).toHaveCount(1);
  const kinds = ["css", "js", "wasm"];
  await expect.poll(() => kinds.every((k) => files.some((f) => f.url.endsWith(`.${k}`)))).toBe(true);
  for (const kind of kinds) {
    const file = files.find((f) => f.url.endsWith(`.${kind}`))!;
    // A claimant's page loads the claimant's build of the islands (the
    // staff pages' islands left out); the stylesheet is the one of every page.
    const name = kind === "css" ? "redress" : "redress-claimant";
    expect(file.url, kind).toMatch(new RegExp(`^/pkg/${name}\\.[0-9a-f]{16}\\.${kind}$`));
    expect(file.encoding, kind).toBe("br");
    expect(file.cache, kind).toBe("public, max-age=31536000, immutable");
  }
  // What a claimant's page transfers (the debug build here; `make bench`
  // measures the release one).
  const first = kinds.map((k) => files.find((f) => f.url.endsWith(`.${k}`))!);
  console.log("transferred on the first visit: " + first.map((f) => `${f.url.split(".").pop()} ${f.bytes} B`).join(", "));
});
