import { mkdir, readFile, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { registerScript, submitOk, waitFinished, waitRunning, type Requester } from "../support/api.ts";
import { chromiumAt, skipWithout } from "../support/prerequisites.ts";
import { SERVER_MODE } from "../support/runtime.ts";
import { makeTempDir } from "../support/temp-dir.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

const CHROMIUM = "/usr/bin/chromium";
const SKIP = skipWithout(chromiumAt(CHROMIUM), `Chromium at ${CHROMIUM} (apt-get install chromium; .ci/run does)`);
/** Where the pages are photographed, for a look at a failure (ignored by git). */
const SCREENSHOTS = fileURLToPath(new URL("../../test-artifacts/dashboard/", import.meta.url));

let browser: Browser;

beforeAll(async () => {
  if (SKIP) return;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  await mkdir(SCREENSHOTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

/** A page whose network is the server alone (as on a machine without internet); what it asked for is kept. */
async function openDashboard(server: TestServer): Promise<{ page: Page; requested: string[]; elsewhere: string[]; problems: string[] }> {
  const context = await browser.newContext({ acceptDownloads: true });
  onTestFinished(() => context.close());
  const page = await context.newPage();
  const requested: string[] = [];
  const elsewhere: string[] = [];
  const problems: string[] = [];
  page.on("console", (message) => message.type() === "error" && problems.push(message.text()));
  page.on("pageerror", (error) => problems.push(error.message));
  await page.route("**/*", (route) => {
    const url = route.request().url();
    requested.push(url);
    if (url.startsWith(`${server.url}/`)) return route.continue();
    elsewhere.push(url);
    return route.abort("internetdisconnected");
  });
  await page.goto(`${server.url}/`);
  return { page, requested, elsewhere, problems };
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

async function residentBytes(pid: number): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => undefined);
  const kb = status?.match(/VmRSS:\s+(\d+) kB/)?.[1];
  return kb === undefined ? undefined : Number(kb) * 1024;
}

/** The text of the first element the selector finds, or "" when there is none yet (without waiting, unlike a locator). */
const textOf = (page: Page, selector: string) => page.evaluate((css) => (document.querySelector(css) as HTMLElement | null)?.innerText ?? "", selector);
const rowStatus = (page: Page, taskId: string) => textOf(page, `tr[data-task="${taskId}"] .status`);
const post = (server: Requester, path: string) => server.request(path, { method: "POST" });

describe.skipIf(SKIP)(`the dashboard (${SERVER_MODE} server)`, () => {
  it("shows a task go queued → running → succeeded without a reload, its log as it is written, and downloads its result", async () => {
    const server = await startTestServer({ concurrency: 1 });
    const gate = join(server.baseDir, "go");
    await registerScript(
      server,
      "gated",
      "gated.sh",
      `#!/bin/sh\necho "first line"\necho "40 waiting" > "$CUBQUEUE_PROGRESS_FILE"\nwhile [ ! -e '${gate}' ]; do sleep 0.05; done\necho "last line"\necho done > "$CUBQUEUE_OUTPUT_DIR/result.txt"\n`,
    );
    const { page, elsewhere, problems } = await openDashboard(server);
    await page.locator("#tasks").waitFor();
    expect(await page.locator("#queue-state").innerText()).toBe("running");

    // Held first, so that the page sees it queued before it runs.
    const { task_id: taskId } = await submitOk(server, "gated", { args: {}, fields: { name: "sample 42", hold: "true" } });
    await expect.poll(() => rowStatus(page, taskId), { timeout: 10_000 }).toBe("held");
    expect(await page.locator(`tr[data-task="${taskId}"] td.name`).innerText()).toBe("sample 42");
    await post(server, `/api/task/${taskId}/release`);
    await expect.poll(() => rowStatus(page, taskId), { timeout: 10_000 }).toBe("running");
    await expect.poll(() => textOf(page, `tr[data-task="${taskId}"] .progress`), { timeout: 10_000 }).toContain("40%");
    await page.screenshot({ path: join(SCREENSHOTS, `tasks-${SERVER_MODE}.png`), fullPage: true });

    await page.locator(`tr[data-task="${taskId}"] td.name a`).click();
    await expect.poll(() => textOf(page, "#log"), { timeout: 10_000 }).toContain("first line");
    expect(await page.locator('#record [data-field="status"]').innerText()).toBe("running");
    await writeFile(gate, "");
    await expect.poll(() => textOf(page, '#record [data-field="status"]'), { timeout: 10_000 }).toBe("succeeded");
    await expect.poll(() => textOf(page, "#log")).toBe("first line\nlast line\n");
    expect(await page.locator('#record [data-field="exit"]').innerText()).toBe("0");
    await page.screenshot({ path: join(SCREENSHOTS, `task-${SERVER_MODE}.png`), fullPage: true });

    await page.locator('select[name="format"]').selectOption("tar");
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download result" }).click()]);
    expect(download.suggestedFilename()).toBe(`${taskId}-result.tar`);
    // A tar of the output folder: its one file's name and content are in it as they are.
    const archive = await readFile(await download.path());
    expect(archive.includes(Buffer.from("result.txt"))).toBe(true);
    expect(archive.includes(Buffer.from("done\n"))).toBe(true);

    expect(elsewhere).toEqual([]);
    expect(problems).toEqual([]);
  });

  it("a task that ends while its page is loading is shown as it ended, not as the page first read it", async () => {
    const server = await startTestServer({ concurrency: 1 });
    const gate = join(server.baseDir, "go");
    await registerScript(server, "gated", "gated.sh", `#!/bin/sh\nwhile [ ! -e '${gate}' ]; do sleep 0.05; done\n`);
    const { page, problems } = await openDashboard(server);
    // Once the first page is shown, the event stream is open.
    await page.locator("#tasks").waitFor();
    const { task_id: taskId } = await submitOk(server, "gated", { args: {} });
    await waitRunning(server, taskId);
    // The task page's first read is answered as the task was (running), but only after the task
    // has ended and its event has reached the page, while the page was still loading.
    let answered = false;
    await page.route(`${server.url}/api/task/${taskId}`, async (route) => {
      if (answered) return route.continue();
      answered = true;
      const running = await route.fetch();
      await writeFile(gate, "");
      await waitFinished(server, taskId);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await route.fulfill({ response: running });
    });
    await page.evaluate((id) => (location.hash = `#/task/${id}`), taskId);
    await expect.poll(() => textOf(page, '#record [data-field="status"]'), { timeout: 10_000 }).toBe("succeeded");
    expect(answered).toBe(true);
    expect(problems).toEqual([]);
  });

  it("cancels a running task from its page, offers what a finished task allows, counts tasks by state, sets the concurrency, pauses and resumes the queue", async () => {
    const server = await startTestServer({ concurrency: 1 });
    await registerScript(server, "sleeper", "sleeper.sh", "#!/bin/sh\necho sleeping\nsleep 60\n");
    const { task_id: taskId } = await submitOk(server, "sleeper", { args: {} });
    await waitRunning(server, taskId);
    const { page, problems } = await openDashboard(server);
    await page.goto(`${server.url}/#/task/${taskId}`);
    await expect.poll(() => textOf(page, "#log"), { timeout: 10_000 }).toContain("sleeping");
    await page.getByRole("button", { name: "Cancel" }).click();
    await expect.poll(() => textOf(page, '#record [data-field="status"]'), { timeout: 10_000 }).toBe("cancelled");
    expect((await (await server.request(`/api/task/${taskId}`)).json()).status).toBe("cancelled");
    // Finished: it can be run again or deleted, no longer cancelled.
    expect(await page.getByRole("button", { name: "Cancel" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Run again" }).count()).toBe(1);

    // The counts by state follow the tasks.
    await page.goto(`${server.url}/#/`);
    await expect.poll(() => textOf(page, '#counts [data-status="cancelled"]'), { timeout: 10_000 }).toBe("cancelled1");
    await page.locator("#concurrency").fill("3");
    // An event meanwhile refreshes the header (within 250 ms): what was typed must stay, the
    // field must keep the focus (keys typed next go on into it), and Set must send it.
    await submitOk(server, "sleeper", { args: {} });
    await page.waitForTimeout(1000);
    expect(await page.locator("#concurrency").inputValue()).toBe("3");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("concurrency");
    await page.locator("#concurrency + button").click();
    await expect.poll(async () => (await (await server.request("/api/queue")).json()).concurrency).toBe(3);

    await page.locator("#queue-toggle").click();
    await expect.poll(() => textOf(page, "#queue-state")).toBe("paused");
    expect((await (await server.request("/api/queue")).json()).paused).toBe(true);
    await page.locator("#queue-toggle").click();
    await expect.poll(() => textOf(page, "#queue-state")).toBe("running");
    expect(problems).toEqual([]);
  });

  it("registers a script and a new version of it, lists its versions, and submits a task with a large file from the browser, showing the upload's progress, then the task", async () => {
    const server = await startTestServer();
    const files = await makeTempDir();
    onTestFinished(() => files.remove());
    const script = join(files.path, "count.sh");
    await writeFile(script, '#!/bin/sh\nwc -c < "$(sed -n \'s/.*"input": *"\\([^"]*\\)".*/\\1/p\' "$1")"\necho "label: $(grep -o \'"label": *"[^"]*"\' "$1")"\n');
    const big = join(files.path, "reads.bin");
    await writeFile(big, Buffer.alloc(8 * 1024 * 1024, 7));
    const { page, problems, elsewhere } = await openDashboard(server);

    await page.goto(`${server.url}/#/scripts`);
    await page.locator("#register").waitFor();
    await page.locator('#register input[name="name"]').fill("count");
    await page.locator('#register input[name="desc"]').fill("Counts bytes");
    await page.locator('#register input[name="script"]').setInputFiles(script);
    await page.getByRole("button", { name: "Register" }).click();
    await expect.poll(() => textOf(page, 'tr[data-script="count"]'), { timeout: 10_000 }).toContain("Counts bytes");
    // The same again, as a new version of it: both versions are listed, newest first.
    await page.locator('#register input[name="name"]').fill("count");
    await page.locator('#register input[name="script"]').setInputFiles(script);
    await page.locator('#register input[name="replace"]').check();
    await page.getByRole("button", { name: "Register" }).click();
    await expect.poll(() => textOf(page, 'tr[data-script="count"] td:nth-child(2)'), { timeout: 10_000 }).toBe("2");
    await page.locator('tr[data-script="count"] a').click();
    await expect.poll(() => page.evaluate(() => [...document.querySelectorAll("#versions tr[data-version]")].map((row) => row.getAttribute("data-version")))).toEqual(["2", "1"]);

    await page.goto(`${server.url}/#/submit`);
    await page.locator("#submit").waitFor();
    await page.locator('#submit textarea[name="args"]').fill('{"input": "<file1>", "label": "from the page"}');
    await page.locator('#submit input[name="large_files"]').setInputFiles(big);
    await page.locator('#submit input[name="name"]').fill("browser upload");
    // What the progress said, as it said it (the page moves on to the task once the upload is done).
    await page.evaluate(() => {
      const said: string[] = [];
      (window as unknown as { said: string[] }).said = said;
      const element = document.getElementById("upload-progress")!;
      new MutationObserver(() => said.push(element.textContent ?? "")).observe(element, { childList: true, characterData: true, subtree: true });
    });
    await page.getByRole("button", { name: "Submit" }).click();
    await page.waitForURL(/#\/task\/[0-9a-f-]{36}$/, { timeout: 20_000 });
    await expect.poll(() => textOf(page, '#record [data-field="status"]'), { timeout: 15_000 }).toBe("succeeded");
    await expect.poll(() => textOf(page, "#log")).toBe('8388608\nlabel: "label": "from the page"\n');
    expect(await textOf(page, '#record [data-field="name"]')).toBe("browser upload");
    const said = await page.evaluate(() => (window as unknown as { said: string[] }).said);
    expect(said.at(-1)).toMatch(/^8\.0 of 8\.0 MiB sent$/);
    const taskId = /#\/task\/(.+)$/.exec(page.url())![1]!;
    const task = await (await server.request(`/api/task/${taskId}`)).json();
    expect(task.files).toEqual([expect.objectContaining({ placeholder: "<file1>", name: "reads.bin", size: 8 * 1024 * 1024 })]);
    expect(elsewhere).toEqual([]);
    expect(problems).toEqual([]);
  });

  it.skipIf(SERVER_MODE === "in-process")("streams a 2 GiB file from the browser to the task: the server's memory stays flat", { timeout: 180_000 }, async () => {
    const server = await startTestServer();
    await registerScript(server, "noop", "noop.sh", "#!/bin/sh\ntrue\n");
    const files = await makeTempDir();
    onTestFinished(() => files.remove());
    // Sparse: 2 GiB to send, nearly nothing on this side's disk.
    const big = join(files.path, "big.bin");
    await writeFile(big, "");
    await truncate(big, 2 * GiB);
    const { page, problems } = await openDashboard(server);
    await page.goto(`${server.url}/#/submit`);
    await page.locator("#submit").waitFor();
    await page.locator('#submit input[name="large_files"]').setInputFiles(big);
    const before = (await residentBytes(server.pid))!;
    let peak = before;
    let uploading = true;
    const sampling = (async () => {
      while (uploading) {
        peak = Math.max(peak, (await residentBytes(server.pid)) ?? 0);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    await page.getByRole("button", { name: "Submit" }).click();
    await page.waitForURL(/#\/task\/[0-9a-f-]{36}$/, { timeout: 150_000 });
    uploading = false;
    await sampling;
    const taskId = /#\/task\/(.+)$/.exec(page.url())![1]!;
    expect((await (await server.request(`/api/task/${taskId}`)).json()).files).toEqual([expect.objectContaining({ name: "big.bin", size: 2 * GiB })]);
    console.log(`${SERVER_MODE} server, 2 GiB uploaded from Chromium: RSS ${Math.round(before / MiB)} → peak ${Math.round(peak / MiB)} MiB`);
    // As for the CLI's uploads (test/streaming/memory.test.ts): far below what holding the file would take.
    expect(peak - before).toBeLessThan((SERVER_MODE === "deno" ? 192 : 128) * MiB);
    expect(problems).toEqual([]);
  });

  it("on a server with a token, asks for it once, keeps it out of every URL, and works with it", async () => {
    const token = "dashboard-token-5b1f2c";
    const server = await startTestServer({ token });
    const auth = { headers: { Authorization: `Bearer ${token}` } };
    const form = new FormData();
    form.set("name", "ok");
    form.set("desc", "ok");
    form.set("script", new Blob(["#!/bin/sh\necho ok\n"]), "ok.sh");
    expect((await server.request("/api/script", { method: "POST", body: form, ...auth })).status).toBe(201);
    const body = new FormData();
    body.set("script_name", "ok");
    body.set("name", "with token");
    body.set("arg_file", new Blob(["{}"]), "args.json");
    const { task_id: taskId } = (await (await server.request("/api/task", { method: "POST", body, ...auth })).json()) as { task_id: string };

    const { page, requested } = await openDashboard(server);
    await page.locator("#token-dialog").waitFor({ state: "visible" });
    await page.locator("#token-input").fill(token);
    await page.getByRole("button", { name: "Use it" }).click();
    await expect.poll(() => textOf(page, `tr[data-task="${taskId}"] td.name`), { timeout: 10_000 }).toBe("with token");
    // Asked once: a reload of the tab keeps it (sessionStorage), and no URL carries it.
    await page.reload();
    await page.locator(`tr[data-task="${taskId}"]`).waitFor();
    expect(await page.locator("#token-dialog").isVisible()).toBe(false);
    expect(requested.filter((url) => url.includes(token))).toEqual([]);
  });

  it("is served with a policy that allows only its own files, and only those files", async () => {
    const server = await startTestServer();
    const answer = await server.request("/");
    expect(answer.headers.get("content-security-policy")).toMatch(/default-src 'self'.*script-src 'self' 'sha256-[^']+'.*frame-ancestors 'none'/);
    for (const path of ["/ui/app.js", "/ui/dashboard.css", "/ui/vendor/openapi-fetch.js"]) expect((await server.request(path)).status, path).toBe(200);
    for (const path of ["/ui/index.html", "/ui/..%2F..%2Fpackage.json", "/ui/dashboard-router.ts"]) expect((await server.request(path)).status, path).toBe(404);
  });
});
