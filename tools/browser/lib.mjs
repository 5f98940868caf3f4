// Shared helpers of ksana's headless-browser checks (the HTML report of `ksana export --format
// html`, the web UI of `ksana serve`): Debian's Chromium driven by playwright-core, which
// downloads no browser. Each check is a small script that imports these helpers, fails with a
// message naming what is wrong, and exits non-zero.
//
//   const b = await openBrowser();
//   const { page, requests } = await openPage(b, "file:///tmp/report.html");
//   ... assertions on page ...
//   await screenshot(page, "report");   // target/screenshots/report.png
//   await b.close();

import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** The browser binary: KSANA_CHROMIUM, else Debian's /usr/bin/chromium. */
export const CHROMIUM = process.env.KSANA_CHROMIUM || "/usr/bin/chromium";

/** Flags for a quiet, offline, container-friendly headless run. */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-dev-shm-usage",
];

/** The repository's root (this file is tools/browser/lib.mjs). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Where screenshots go: KSANA_SCREENSHOTS, else target/screenshots/ under the repository. */
export const SCREENSHOT_DIR =
  process.env.KSANA_SCREENSHOTS || join(REPO_ROOT, "target", "screenshots");

/** Launches headless Chromium. */
export async function openBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** A file path as a file:// URL. */
export function fileUrl(path) {
  return pathToFileURL(resolve(path)).href;
}

/**
 * Opens `url` in a new page of `browser` and waits until it has loaded and the network is idle.
 * Returns the page, every request the page made (URLs, in order, the page's own included), and
 * the console errors and uncaught exceptions of the page.
 */
export async function openPage(browser, url, { width = 1280, height = 900 } = {}) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  const requests = [];
  const errors = [];
  page.on("request", (r) => requests.push(r.url()));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(`exception: ${e.message}`));
  await page.goto(url, { waitUntil: "load" });
  await page.waitForLoadState("networkidle");
  return { page, requests, errors };
}

/**
 * The requests that are neither `allowed` URLs nor data: URLs (for a page that must work
 * offline: its own file and nothing else).
 */
export function foreignRequests(requests, allowed) {
  const ok = new Set(allowed);
  return requests.filter((u) => !ok.has(u) && !u.startsWith("data:"));
}

/** Saves a full-page screenshot as SCREENSHOT_DIR/NAME.png and returns its path. */
export async function screenshot(page, name) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Collects failures; `check()` records one when `cond` is false. */
export class Checks {
  constructor() {
    this.failures = [];
  }
  check(cond, message) {
    if (!cond) this.failures.push(message);
    return cond;
  }
  /** Prints the failures and exits 1 when there are any; prints `okMessage` otherwise. */
  finish(okMessage) {
    if (this.failures.length > 0) {
      for (const f of this.failures) console.error(`FAIL: ${f}`);
      process.exit(1);
    }
    console.log(okMessage);
  }
}
