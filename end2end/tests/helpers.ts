import { BrowserContext, Cookie, expect, Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import * as fs from "node:fs";
import * as path from "node:path";
import { createHash, createHmac } from "node:crypto";
import { dataDir } from "../playwright.config";

export const DEMO_PASSWORD = "redress-demo-2020";

/**
 * Zero axe-core violations at WCAG 2.2 AA on the page as it is now.
 *
 * `make test` runs the browser tests twice at once, on SQLite and on
 * PostgreSQL. The pages' markup does not depend on the database, and axe
 * is half of a run's CPU on 2 cores, so the scan is made in the SQLite run
 * (every page, every run) and the PostgreSQL run (`E2E_AXE=off`) takes the
 * same journeys without scanning the same markup again.
 */
export async function expectAccessible(page: Page) {
  if (process.env.E2E_AXE === "off") return;
  // axe measures touch targets where they are on the screen: a page the
  // browser left scrolled down (after a form post to a long page) puts the
  // header off screen, which axe misreads as overlapping targets.
  await page.evaluate(() => window.scrollTo(0, 0));
  // axe measures the page as it is drawn: wait for the house stylesheet to
  // be applied (an unstyled page is a row of tiny adjacent links, which axe
  // rightly fails). If it never arrives, say so instead of blaming the page.
  // Applied, not merely listed: the house sheet's own custom property is
  // in effect on the root. (Its rules, read through the CSSOM, were once
  // refused for 30 s with a SecurityError on a page the sheet was drawn
  // on: the CSSOM's access rule is not what axe needs.)
  const styled = () =>
    page.evaluate(
      () =>
        document.readyState === "complete" &&
        [...document.styleSheets].some((s) => /\/pkg\/redress(\.[0-9a-f]{16})?\.css(\?again=\d+)?$/.test(s.href ?? "")) &&
        getComputedStyle(document.documentElement).getPropertyValue("--brand").trim() !== "",
    );
  // Known, not explained: in two clean-clone runs of 2026-12-07 the sheet of
  // /admin/policy, fetched from Chromium's memory cache (0 bytes), was never
  // applied (its rules refused with a SecurityError, its custom property
  // unset) for 30 s, while the same sheet was applied on every other page.
  // After 10 s the page's link is pointed at the same file again by a URL
  // the cache does not hold (the server ignores the query), once, and the
  // state it had is printed; the scan still needs the sheet applied.
  const waited = Date.now();
  let retried = false;
  await expect
    .poll(
      async () => {
        if (await styled()) return "applied";
        const state = await stylesheetState(page);
        if (!retried && Date.now() - waited > 10_000) {
          retried = true;
          console.log(`stylesheet not applied after 10 s on ${page.url()}: ${state}; fetching it again`);
          await page.evaluate(() => {
            const link = document.querySelector<HTMLLinkElement>('link[rel="stylesheet"][href*="/pkg/redress"]');
            if (link) link.href = link.href.split("?")[0] + "?again=" + Date.now();
          });
        }
        return state;
      },
      { message: `the stylesheet was applied on ${page.url()}`, timeout: 30_000 },
    )
    .toBe("applied");
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"])
    .analyze();
  const summary = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
  expect(summary, `axe violations on ${page.url()}`).toEqual([]);
}

/**
 * What the page holds while its stylesheet is not applied: the document's
 * state, its sheets and every resource's timing, so a failure says whether
 * the sheet never came, came late, or the page never finished loading.
 */
function stylesheetState(page: Page): Promise<string> {
  return page.evaluate(() => {
    const sheets = [...document.styleSheets].map((s) => {
      let rules: string;
      try {
        rules = String(s.cssRules.length);
      } catch (e) {
        rules = `refused (${(e as Error).name})`;
      }
      return `${s.href ?? "inline"}: ${rules} rules`;
    });
    const now = Math.round(performance.now());
    const resources = performance
      .getEntriesByType("resource")
      .map((r) => {
        const t = r as PerformanceResourceTiming;
        const end = t.responseEnd > 0 ? `${Math.round(t.responseEnd)} ms` : "not ended";
        return `${t.name} started ${Math.round(t.startTime)} ms, ended ${end}, ${t.transferSize} bytes`;
      });
    const brand = getComputedStyle(document.documentElement).getPropertyValue("--brand").trim() || "unset";
    return `readyState ${document.readyState} at ${now} ms; --brand ${brand}; sheets [${sheets.join("; ")}]; resources [${resources.join("; ")}]`;
  });
}

function decodeBody(raw: string): string {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const body = rest.join("\n\n");
  // Text and HTML: read the plain-text part.
  const boundary = /boundary="?([^";\r\n]+)"?/i.exec(head)?.[1];
  if (boundary) {
    const parts = body.split(`--${boundary}`).filter((p) => /Content-Type:\s*text\/plain/i.test(p));
    if (parts.length > 0) return decodeBody(parts[0].replace(/^\r?\n/, ""));
  }
  const encoding = /Content-Transfer-Encoding:\s*([\w-]+)/i.exec(head)?.[1]?.toLowerCase();
  if (encoding === "base64") return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  if (encoding === "quoted-printable") {
    const bytes = body.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/gi, (_, h) => String.fromCharCode(parseInt(h, 16)));
    return Buffer.from(bytes, "latin1").toString("utf8");
  }
  return body;
}

/** The newest mail the server wrote for `to` (the .eml files of the data folder). */
export async function readMail(to: string, containing: string): Promise<string> {
  const dir = path.join(dataDir, "mail");
  for (let i = 0; i < 100; i++) {
    if (fs.existsSync(dir)) {
      const mails = fs
        .readdirSync(dir)
        .map((f) => path.join(dir, f))
        .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)
        .map((f) => fs.readFileSync(f, "utf8"))
        .filter((m) => m.includes(to))
        .map(decodeBody)
        .filter((b) => b.includes(containing));
      if (mails.length > 0) return mails[0];
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no mail for ${to} containing ${containing}`);
}

export async function login(page: Page, email: string, password = DEMO_PASSWORD) {
  if (await resume(page, email)) return;
  loggedIn.delete(page.context());
  await page.goto("/login");
  await page.getByLabel(/Email address|メールアドレス/).fill(email);
  await page.getByLabel(/^(Password|パスワード)$/).fill(password);
  await page.getByRole("button", { name: /^(Log in|ログイン)$/ }).click();
  // Wait for the password step to land before the next navigation cuts it off.
  await page.waitForURL((url) => url.pathname !== "/login");
  const coded = new URL(page.url()).pathname === "/login/code";
  await secondStep(page, email);
  if (coded) await keep(page, email);
}

/**
 * Staff stay logged in, as people do: a staff member who logged in with a
 * code once in this run comes back to the same session (its cookie) and
 * lands where the login landed, instead of spending a code per 30-second
 * step and waiting for the next one. Tests about logging in log in by hand;
 * a session the server ended (a password change, a timeout) falls back to
 * a whole login.
 */
async function keep(page: Page, email: string) {
  const cookie = (await page.context().cookies()).find((c) => c.name === SESSION_COOKIE);
  if (!cookie) return;
  const state = readSteps();
  state.sessions = { ...state.sessions, [email]: { cookie, landing: new URL(page.url()).pathname } };
  writeSteps(state);
  loggedIn.set(page.context(), email);
}

async function resume(page: Page, email: string): Promise<boolean> {
  const kept = readSteps().sessions?.[email];
  if (!kept) return false;
  await page.context().clearCookies({ name: SESSION_COOKIE });
  await page.context().addCookies([kept.cookie]);
  await page.goto(kept.landing);
  if (new URL(page.url()).pathname === kept.landing) {
    loggedIn.set(page.context(), email);
    return true;
  }
  const state = readSteps();
  delete state.sessions?.[email];
  writeSteps(state);
  await page.context().clearCookies({ name: SESSION_COOKIE });
  return false;
}

const SESSION_COOKIE = "redress_session";
/** Which kept staff session a browser context holds now. */
const loggedIn = new WeakMap<BrowserContext, string>();

/**
 * The second step of a login, if the page asks for one: the code from the
 * account's app (staff, and claimants who chose it), or the enrolment of a
 * new two-step login (staff who have none yet). Returns the recovery codes
 * when it enrolled.
 */
export async function secondStep(page: Page, email: string): Promise<string[]> {
  const where = new URL(page.url()).pathname;
  if (where === "/login/code") {
    await page.getByLabel(/^(Code|確認コード)$/).fill(await nextCode(email));
    await page.getByRole("button", { name: /^(Log in|ログイン)$/ }).click();
    await page.waitForURL((url) => url.pathname !== "/login/code");
  } else if (where === "/mfa/setup") {
    return await enrol(page, email);
  }
  return [];
}

/** Sets up a two-step login on the enrolment page (reading its key as a person would type it). */
export async function enrol(page: Page, email: string): Promise<string[]> {
  const key = (await page.locator("#mfa-key").innerText()).replace(/\s+/g, "");
  const state = readSteps();
  state.keys[email] = key;
  writeSteps(state);
  await page.getByLabel(/^(Code|確認コード)$/).fill(await nextCode(email));
  await page.getByRole("button", { name: /^(Turn on two-step login|設定を完了する)$/ }).click();
  await page.waitForURL((url) => url.pathname === "/mfa/recovery-codes");
  return await page.locator(".recovery-codes code").allInnerTexts();
}

// TOTP (RFC 6238: HMAC-SHA-1, 6 digits, 30 s), as an authenticator app computes it.
const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function base32Encode(bytes: Buffer): string {
  let bits = 0, value = 0, out = "";
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

function base32Decode(text: string): Buffer {
  let bits = 0, value = 0;
  const out: number[] = [];
  for (const c of text.toUpperCase().replace(/[\s=]/g, "")) {
    value = (value << 5) | BASE32.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The demo's staff keys are derived from the address (`redress demo-code` prints them). */
export function demoKey(email: string): string {
  return base32Encode(createHash("sha256").update(`redress-demo-mfa:${email}`).digest().subarray(0, 20));
}

export function totp(key: string, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac("sha1", base32Decode(key)).update(counter).digest();
  const offset = mac[19] & 0x0f;
  const bin = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(bin % 1_000_000).padStart(6, "0");
}

// The server accepts each step once per account: the steps this run used
// (and the keys enrolled in it) are kept in the run's data folder, which
// every run starts empty.
type Kept = { cookie: Cookie; landing: string };
type Steps = { used: Record<string, number>; keys: Record<string, string>; sessions?: Record<string, Kept> };
const stepsFile = () => path.join(dataDir, "e2e-mfa-steps.json");
function readSteps(): Steps {
  try {
    return JSON.parse(fs.readFileSync(stepsFile(), "utf8"));
  } catch {
    return { used: {}, keys: {} };
  }
}
function writeSteps(state: Steps) {
  fs.writeFileSync(stepsFile(), JSON.stringify(state));
}

/** A code the server has not seen for this account: this step's or the next; else wait for the next step. */
export async function nextCode(email: string): Promise<string> {
  for (;;) {
    const state = readSteps();
    const key = state.keys[email] ?? demoKey(email);
    const now = Date.now() / 1000;
    const step = Math.floor(now / 30);
    const last = state.used[email] ?? -1;
    const fresh = [step, step + 1].find((s) => s > last);
    if (fresh !== undefined) {
      state.used[email] = fresh;
      writeSteps(state);
      return totp(key, fresh);
    }
    await new Promise((r) => setTimeout(r, ((step + 1) * 30 - now) * 1000 + 100));
  }
}

/**
 * Logs out; a kept staff session is only put down (the browser forgets its
 * cookie, as when someone else takes the seat) so the next login of that
 * person resumes it.
 */
export async function logout(page: Page) {
  if (loggedIn.has(page.context())) {
    loggedIn.delete(page.context());
    await page.context().clearCookies({ name: SESSION_COOKIE });
    await page.goto("/");
    return;
  }
  await page.getByRole("button", { name: /Log out|ログアウト/ }).click();
}

const SAVE = /^(Save and continue|保存して続ける)$/;
const FINISH = /^(I have finished this section|この項目の入力を終える)$/;

/** A tiny PDF and PNG: the server decides the type by these bytes. */
export const PDF = Buffer.from("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n");
export const PNG = Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010802000000", "hex");

/**
 * Writes and sends a whole claim through the pages, as a claimant would: two
 * accounts (at bank 0125) with three debits, one call, one journey, two
 * files. An account written `記号-番号` is a Japan Post Bank one, given by
 * its passbook. Checks every page with axe-core when `axe` is true (JavaScript on).
 * Returns the claim's reference.
 */
export async function fileFullClaim(
  page: Page,
  opts: { axe: boolean; name: string; kana: string; js?: boolean; accounts?: [string, string[]][] },
): Promise<string> {
  // Two accounts, three debits, unless the test names its own.
  const accounts = opts.accounts ?? [
    ["1234567", ["100000", "50000"]],
    ["7654321", ["30000"]],
  ];
  const debits = accounts.flatMap(([, amounts]) => amounts).reduce((sum, a) => sum + Number(a), 0);
  const yen = (n: number) => n.toLocaleString("en-US");
  const check = async () => {
    if (opts.axe) await expectAccessible(page);
  };
  await page.goto("/claims/new");
  await check();
  await page.locator("#start").click();
  await expect(page.locator(".task-list")).toBeVisible();
  await check();

  // About you.
  await page.locator('.task-list a[href$="/about"]').click();
  await check();
  await page.locator("#full_name").fill(opts.name);
  await page.locator("#name_kana").fill(opts.kana);
  // The birthday as three boxes in the Japanese era (昭和22年3月21日).
  await page.locator("#birth_date").selectOption("showa");
  await page.locator("#birth_date_year").fill("22");
  await page.locator("#birth_date_month").fill("3");
  await page.locator("#birth_date_day").fill("21");
  // The address by its postcode, typed as people do (full-width, a long
  // dash): with JavaScript it fills in as typed, without it by the button.
  if (opts.js !== false) await expect(page.locator("#postal_code[data-lookup]")).toHaveCount(1);
  await page.locator("#postal_code").fill("９８０ー０８１１");
  if (opts.js === false) await page.getByRole("button", { name: /^(郵便番号から住所を探す|Find the address from the postal code)$/ }).click();
  await expect(page.getByText(/郵便番号から住所を入れました|The address for this postal code is filled in/)).toBeVisible();
  await expect(page.locator("#address")).toHaveValue("宮城県仙台市青葉区一番町");
  await check();
  await page.locator("#address").fill("宮城県仙台市青葉区一番町1-1");
  await page.locator("#phone").fill("090-1234-5678");
  await page.locator("#contact").check();
  await page.locator("#compensated-1").check();
  await page.getByRole("button", { name: SAVE }).click();
  await expect(page.locator(".task-list")).toBeVisible();

  // Two accounts, three debits.
  await page.locator('.task-list a[href$="/debits"]').click();
  await check();
  for (const [number, amounts] of accounts) {
    await page.locator('a[href$="/add-account"]').click();
    await check();
    if (number.includes("-")) {
      // A Japan Post Bank account as its passbook prints it (記号-番号).
      const [symbol, passbook] = number.split("-");
      await page.locator("#bank").selectOption("9900");
      await page.locator("details.passbook summary").click();
      await check();
      await page.locator("#yucho_symbol").fill(symbol);
      await page.locator("#yucho_number").fill(passbook);
    } else {
      await page.locator("#bank").selectOption("0125");
      await page.locator("#branch").fill("100");
      await page.locator("#account_type").selectOption("ordinary");
      await page.locator("#account_number").fill(number);
    }
    await page.getByRole("button", { name: SAVE }).click();
    for (const [i, amount] of amounts.entries()) {
      if (i > 0) await page.locator(`section.account-card:has-text("${number}") a[href$="/add-debit"]`).click();
      await expect(page.locator("#amount")).toBeVisible();
      await check();
      await page.locator("#date").fill(`2020-09-0${3 + i}`);
      await page.locator("#amount").fill(amount);
      await page.locator("#descriptor").fill("ドコモコウザ");
      await page.getByRole("button", { name: SAVE }).click();
      await expect(page.locator(".account-card").first()).toBeVisible();
    }
  }
  await expect(page.locator(".total")).toContainText(yen(debits));
  await check();
  await page.getByRole("button", { name: FINISH }).click();

  // One call.
  await page.locator('.task-list a[href$="/calls"]').click();
  await page.locator('a[href$="/add-call"]').click();
  await check();
  await page.locator("#date").fill("2020-09-07");
  await page.locator("#callee").selectOption("bank");
  await page.locator("#minutes").fill("25");
  await page.locator("#cost").fill("550");
  await page.locator("#receipt").check();
  await page.getByRole("button", { name: SAVE }).click();
  await expect(page.locator("table")).toContainText(/550/);
  await check();
  await page.getByRole("button", { name: FINISH }).click();

  // One journey.
  await page.locator('.task-list a[href$="/travel"]').click();
  await page.locator('a[href$="/add-journey"]').click();
  await check();
  await page.locator("#date").fill("2020-09-08");
  await page.locator("#from").fill("自宅");
  await page.locator("#to").fill("七十七銀行 本店");
  await page.locator("#means").selectOption("bus");
  await page.locator("#purpose").fill("窓口で相談");
  await page.locator("#cost").fill("440");
  await page.getByRole("button", { name: SAVE }).click();
  await expect(page.locator("table")).toContainText(/440/);
  await check();
  await page.getByRole("button", { name: FINISH }).click();

  // Two files.
  await page.locator('.task-list a[href$="/evidence"]').click();
  await check();
  for (const [name, mimeType, buffer] of [
    ["passbook.pdf", "application/pdf", PDF],
    ["receipt.png", "image/png", PNG],
  ] as const) {
    // With JavaScript, wait until the island has taken over the form (it
    // hydrates after the page loads); a click before that posts it plainly.
    if (opts.js !== false) await expect(page.locator("#upload-form[data-enhanced]")).toHaveCount(1);
    await page.locator("#file").setInputFiles({ name, mimeType, buffer });
    const sent = page.waitForRequest((r) => r.url().endsWith("/evidence") && r.method() === "POST");
    await page.getByRole("button", { name: /^(Upload file|アップロードする)$/ }).click();
    // With JavaScript the island sends it (to show progress); without, the form does.
    expect((await sent).resourceType()).toBe(opts.js === false ? "document" : "xhr");
    await expect(page.locator(".file-card").filter({ hasText: name })).toBeVisible();
  }
  // Link the statement to the first debit.
  const card = page.locator(".file-card").filter({ hasText: "passbook.pdf" });
  await card.locator('input[type="checkbox"]').first().check();
  await card.getByRole("button", { name: /^(Save|保存する)$/ }).click();
  await expect(page.locator(".file-card").filter({ hasText: "passbook.pdf" }).locator('input[type="checkbox"]').first()).toBeChecked();
  await check();
  await page.getByRole("button", { name: FINISH }).click();

  // The payout account: the first debited account, by default.
  await page.locator('.task-list a[href$="/payout"]').click();
  await check();
  await expect(page.locator('input[name="choice"]').first()).toBeChecked();
  await page.getByRole("button", { name: SAVE }).click();

  // Check your answers, then send.
  await page.locator('.task-list a[href$="/check"]').click();
  await expect(page.locator(".total-all")).toContainText(yen(debits + 990));
  // Masked as the Zengin number: a passbook's 番号 without its last digit.
  const zengin = (n: string) => (n.includes("-") ? n.split("-")[1].slice(0, -1) : n);
  await expect(page.getByText(`****${zengin(accounts[0][0]).slice(-3)}`).first()).toBeVisible();
  await check();
  await page.locator("#declare_true").check();
  await page.locator("#declare_share").check();
  await page.locator("#send").click();
  const reference = (await page.locator(".panel-confirm .reference").textContent())!.trim();
  expect(reference).toMatch(/^RD-\d{6}$/);
  await check();
  return reference;
}
