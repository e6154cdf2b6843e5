import { defineConfig } from "@playwright/test";
import { execSync } from "node:child_process";
import * as path from "node:path";

// Debian's Chromium, found on PATH: Playwright never downloads a browser here.
function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  return execSync("command -v chromium || command -v chromium-browser", { shell: "/bin/sh" }).toString().trim();
}

const root = path.resolve(__dirname, "..");
const port = process.env.E2E_PORT ?? "3100";
export const dataDir = process.env.E2E_DATA_DIR ?? path.join(root, "target", "e2e-data");
const binary = process.env.E2E_BINARY ?? path.join(root, "target", "debug", "redress");
const dbEnv =
  (process.env.E2E_DATABASE_URL ? `DATABASE_URL='${process.env.E2E_DATABASE_URL}' ` : "") +
  // The PostgreSQL run keeps evidence in the S3-compatible server `make test` starts.
  (process.env.E2E_FILES_URL ? `REDRESS_FILES_URL='${process.env.E2E_FILES_URL}' ` : "");

export default defineConfig({
  testDir: "./tests",
  // Each database's run has its own (they run at once in `make test`).
  outputDir: process.env.E2E_OUTPUT_DIR ?? "test-results",
  // A whole journey takes about 50 s on 2 cores: room for a busy machine.
  timeout: 180_000,
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    // A Japanese browser, as most claimants have; tests switch to English by the link.
    locale: "ja-JP",
    launchOptions: {
      executablePath: chromiumPath(),
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  webServer: {
    // A fresh data folder and database for every run, with the demo data.
    command:
      `rm -rf '${dataDir}' && export ${dbEnv}REDRESS_DATA_DIR='${dataDir}' REDRESS_LISTEN=127.0.0.1:${port} ` +
      `REDRESS_SITE_ROOT='${path.join(root, "target", "site")}' REDRESS_MAIL_POLL_MS=200 REDRESS_IMPORT_WAIT_MS=0 REDRESS_SECOND_APPROVAL_ABOVE=100000 && ` +
      `'${binary}' seed-demo && exec '${binary}' serve`,
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "ignore",
    stderr: "pipe",
  },
});
