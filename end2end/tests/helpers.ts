import { expect, Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import * as fs from "node:fs";
import * as path from "node:path";
import { dataDir } from "../playwright.config";

export const DEMO_PASSWORD = "redress-demo-2020";

/** Zero axe-core violations at WCAG 2.2 AA on the page as it is now. */
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"])
    .analyze();
  const summary = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
  expect(summary, `axe violations on ${page.url()}`).toEqual([]);
}

function decodeBody(raw: string): string {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const body = rest.join("\n\n");
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
  await page.goto("/login");
  await page.getByLabel(/Email address|メールアドレス/).fill(email);
  await page.getByLabel(/^(Password|パスワード)$/).fill(password);
  await page.getByRole("button", { name: /^(Log in|ログイン)$/ }).click();
}

export async function logout(page: Page) {
  await page.getByRole("button", { name: /Log out|ログアウト/ }).click();
}

/** Fills debit line `i` of the claim form. */
export async function fillDebit(page: Page, i: number, amount: string) {
  await page.locator(`#debit_${i}_bank`).selectOption("0125");
  await page.locator(`#debit_${i}_branch`).fill("本店営業部");
  await page.locator(`#debit_${i}_account_type`).selectOption("ordinary");
  await page.locator(`#debit_${i}_account_number`).fill("7654321");
  await page.locator(`#debit_${i}_date`).fill("2020-09-04");
  await page.locator(`#debit_${i}_amount`).fill(amount);
  await page.locator(`#debit_${i}_descriptor`).fill("ドコモコウザ");
}
