import { createServer, type Server } from "node:http";
import { existsSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { chromiumAt, skipWithout } from "../support/prerequisites.ts";
import { makeTempDir } from "../support/temp-dir.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

/**
 * The attacks of a web page on a CubQueue server on the operator's machine,
 * driven in Debian's Chromium (installed by .ci/run). One browser for the file.
 */
const CHROMIUM = "/usr/bin/chromium";
const ATTACKER = "evil.test";

const SKIP = skipWithout(chromiumAt(CHROMIUM), `Chromium at ${CHROMIUM} (apt-get install chromium; .ci/run does)`);

let browser: Browser;

beforeAll(async () => {
  if (SKIP) return;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      // What DNS would answer for the attacker's name once it has rebound it to this machine.
      `--host-resolver-rules=MAP ${ATTACKER} 127.0.0.1`,
    ],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

/** A second web server: another origin, as the attacker's site is. */
async function serveAttackerPage(html: string): Promise<number> {
  const server: Server = createServer((_request, response) => {
    response.setHeader("Content-Type", "text/html");
    response.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

async function newPage() {
  const context = await browser.newContext();
  onTestFinished(() => context.close());
  return context.newPage();
}

async function tasksAndScripts(server: TestServer) {
  const scripts = (await (await server.request("/api/script")).json()).scripts;
  const tasks = (await (await server.request("/api/task")).json()).tasks;
  return { scripts, tasks };
}

/**
 * What the page runs: register a script that leaves a marker file, submit it,
 * with no-cors fetches (CORS simple requests: no preflight) and with a plain
 * form post, then try to read the task list.
 */
function attackScript(target: string, marker: string): string {
  return `
    const script = new Blob([${JSON.stringify(`#!/bin/sh\ntouch ${marker}\n`)}]);
    const register = (name) => { const form = new FormData(); form.set("name", name); form.set("desc", "pwned"); form.set("script", script, name + ".sh"); return form; };
    const submit = (name) => { const form = new FormData(); form.set("script_name", name); form.set("arg_file", new Blob(["{}"]), "args.json"); return form; };
    const outcome = {};
    try { await fetch(${JSON.stringify(target)} + "/api/script", { method: "POST", mode: "no-cors", body: register("pwned") }); outcome.register = "sent"; } catch (error) { outcome.register = String(error); }
    try { await fetch(${JSON.stringify(target)} + "/api/task", { method: "POST", mode: "no-cors", body: submit("pwned") }); outcome.submit = "sent"; } catch (error) { outcome.submit = String(error); }
    try { outcome.read = await (await fetch(${JSON.stringify(target)} + "/api/task")).text(); } catch (error) { outcome.read = "refused: " + error; }
    try { const response = await fetch(${JSON.stringify(target)} + "/api/task", { mode: "no-cors" }); outcome.opaque = response.type + ":" + (await response.text()); } catch (error) { outcome.opaque = "refused: " + error; }
    outcome;
  `;
}

describe.skipIf(SKIP)("a web page in a real browser", () => {
  it("on another origin cannot register, run or read anything", async () => {
    const server = await startTestServer();
    const dir = await makeTempDir();
    onTestFinished(dir.remove);
    const marker = join(dir.path, "ran");
    const attackerPort = await serveAttackerPage("<!doctype html><title>cute cats</title><p>cats</p>");
    const page = await newPage();
    const seen: number[] = [];
    page.on("response", (response) => {
      if (response.url().startsWith(server.url)) seen.push(response.status());
    });
    await page.goto(`http://${ATTACKER}:${attackerPort}/`);
    const outcome = await page.evaluate(`(async () => { ${attackScript(server.url, marker)} return outcome; })()`);
    expect(outcome).toMatchObject({ register: "sent", submit: "sent", read: expect.stringMatching(/^refused: /), opaque: "opaque:" });

    // The classic form post, with a file chosen by the page (a navigation: Origin and Sec-Fetch-Site say where it comes from).
    await page.evaluate(`(() => {
      const form = Object.assign(document.createElement("form"), { method: "POST", action: ${JSON.stringify(`${server.url}/api/script`)}, enctype: "multipart/form-data" });
      for (const [name, value] of [["name", "pwned_form"], ["desc", "pwned"]]) form.append(Object.assign(document.createElement("input"), { name, value }));
      const file = Object.assign(document.createElement("input"), { type: "file", name: "script" });
      const files = new DataTransfer();
      files.items.add(new File([${JSON.stringify(`#!/bin/sh\ntouch ${marker}\n`)}], "pwned_form.sh"));
      file.files = files.files;
      form.append(file);
      document.body.append(form);
      form.submit();
    })()`);
    await page.waitForURL(`${server.url}/api/script`);
    expect(await page.textContent("body")).toContain("cross_site_request");

    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen.every((status) => status === 403)).toBe(true);
    expect(await tasksAndScripts(server)).toEqual({ scripts: [], tasks: [] });
    expect(existsSync(marker)).toBe(false);
  });

  it("on a rebound name (the attacker's host resolving to this machine) is refused", async () => {
    const server = await startTestServer();
    const dir = await makeTempDir();
    onTestFinished(dir.remove);
    const marker = join(dir.path, "ran");
    const rebound = `http://${ATTACKER}:${new URL(server.url).port}`;
    const page = await newPage();
    // The attacker's page was loaded while the name still pointed to the attacker; every later request reaches CubQueue.
    const attackerPort = await serveAttackerPage("<!doctype html><title>cute cats</title><p>cats</p>");
    await page.route(`${rebound}/cats.html`, (route) => route.continue({ url: `http://127.0.0.1:${attackerPort}/cats.html` }));
    await page.goto(`${rebound}/cats.html`);
    const outcome = (await page.evaluate(`(async () => { ${attackScript(rebound, marker)} return outcome; })()`)) as Record<string, string>;
    expect(outcome).toMatchObject({ register: "sent", submit: "sent" });
    // Same origin for the browser, so the answer would be readable: the server refuses the name.
    expect(JSON.parse(outcome.read!)).toMatchObject({ error: { code: "forbidden_host" } });
    expect(await tasksAndScripts(server)).toEqual({ scripts: [], tasks: [] });
    expect(existsSync(marker)).toBe(false);
    const direct = await page.goto(`${rebound}/docs`);
    expect(direct?.status()).toBe(403);
  });

  it("on the server's own /docs page loads, and its requests work when they carry the client header", async () => {
    const server = await startTestServer();
    const page = await newPage();
    const response = await page.goto(`${server.url}/docs`);
    expect(response?.status()).toBe(200);
    expect(await page.title()).toBe("CubQueue API");
    const statuses = (await page.evaluate(`(async () => {
      const form = (name) => { const body = new FormData(); body.set("name", name); body.set("script", new Blob(["#!/bin/sh\\necho hi\\n"]), name + ".sh"); return body; };
      const bare = await fetch("/api/script", { method: "POST", body: form("no_header") });
      const tried = await fetch("/api/script", { method: "POST", body: form("from_docs"), headers: { "X-CubQueue-Client": "swagger-ui" } });
      const listed = await fetch("/api/script");
      return [bare.status, tried.status, listed.status];
    })()`)) as number[];
    expect(statuses).toEqual([403, 201, 200]);
    expect((await tasksAndScripts(server)).scripts.map((script: { name: string }) => script.name)).toEqual(["from_docs"]);
  });
});
