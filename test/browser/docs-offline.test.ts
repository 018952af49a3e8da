import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumAt, skipWithout } from "../support/prerequisites.ts";
import { SERVER_MODE } from "../support/runtime.ts";
import { startTestServer } from "../support/test-server.ts";

const CHROMIUM = "/usr/bin/chromium";
const SKIP = skipWithout(chromiumAt(CHROMIUM), `Chromium at ${CHROMIUM} (apt-get install chromium; .ci/run does)`);

let browser: Browser;

beforeAll(async () => {
  if (SKIP) return;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe.skipIf(SKIP)(`/docs on a machine without internet (${SERVER_MODE} server)`, () => {
  it("renders every operation of the API, with nothing fetched but from the server", async () => {
    const server = await startTestServer();
    const document = await (await server.request("/openapi.json")).json();
    const operations = Object.values(document.paths as Record<string, Record<string, unknown>>).reduce((sum, methods) => sum + Object.keys(methods).length, 0);

    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const elsewhere: string[] = [];
      // The network is the server alone: anything else the page asks for fails, as it would offline.
      await page.route("**/*", (route) => {
        const url = route.request().url();
        if (url.startsWith(`${server.url}/`)) return route.continue();
        elsewhere.push(url);
        return route.abort("internetdisconnected");
      });
      await page.goto(`${server.url}/docs`);
      await page.waitForFunction((count) => document.querySelectorAll(".opblock").length === count, operations, { timeout: 20_000 });
      expect(await page.locator(".opblock").count()).toBe(operations);
      expect(await page.locator(".info .title").innerText()).toMatch(/CubQueue/);
      expect(elsewhere).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
