import { existsSync } from "node:fs";
import { chromium } from "playwright-core";
import { nowMs } from "./timing.ts";

const CHROMIUM = "/usr/bin/chromium";

/**
 * How long the dashboard takes to show its first page of tasks in Chromium, from navigation
 * to the rows on screen, `samples` times in a fresh tab (the first load is not counted: it
 * warms the server's handlers). Undefined where Debian's Chromium is not installed.
 */
export async function dashboardLoadTimes(url: string, samples: number): Promise<number[] | undefined> {
  if (!existsSync(CHROMIUM)) return undefined;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  try {
    const times: number[] = [];
    for (let i = 0; i <= samples; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const start = nowMs();
      await page.goto(`${url}/`);
      await page.locator("#tasks tbody tr").first().waitFor({ timeout: 30_000 });
      if (i > 0) times.push(nowMs() - start);
      await context.close();
    }
    return times;
  } finally {
    await browser.close();
  }
}
