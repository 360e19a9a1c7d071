// Headless Chromium for the tests that open our HTML pages.
import { existsSync } from "node:fs";
import type { Page } from "playwright-core";

export const CHROMIUM = process.env.CLSTR_CHROMIUM ?? "/usr/bin/chromium";

/** Why a browser test cannot run here, or false when it can. */
export const chromiumMissing: string | false = existsSync(CHROMIUM) ? false : `Chromium is not at ${CHROMIUM} (set CLSTR_CHROMIUM to its path)`;

/** Collects what a self-contained page must never do: throw, log an error, or ask the network for anything. */
export function pageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console error: ${m.text()}`);
  });
  page.on("request", (r) => {
    if (!r.url().startsWith("file:")) problems.push(`request to ${r.url()}`);
  });
  return problems;
}
