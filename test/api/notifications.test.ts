import { createServer, type IncomingHttpHeaders } from "node:http";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { onTestFinished, describe, expect, it } from "vitest";
import { registerScript, submit, submitOk, waitFinished, waitUntil } from "../support/api.ts";
import { SERVER_MODE } from "../support/runtime.ts";
import { makeTempDir } from "../support/temp-dir.ts";
import { startTestServer } from "../support/test-server.ts";

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: { event: string; from: string; to: string; at: string; task: { task_id: string; status: string; exit_code: number | null } };
  answered: number;
}

/** A real HTTP receiver on loopback that records what it is sent; it answers 500 to the first `failures` requests. */
async function startReceiver({ failures = 0 } = {}) {
  const received: Received[] = [];
  let requests = 0;
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      const answered = ++requests <= failures ? 500 : 204;
      received.push({ path: request.url!, headers: request.headers, body: JSON.parse(body), answered });
      response.writeHead(answered).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return { url, received, delivered: () => received.filter((each) => each.answered === 204) };
}

describe(`notifications (${SERVER_MODE} server)`, () => {
  it("a task's notify_url is sent the finished task as JSON, once; with notify_on all, each change of state, in order", async () => {
    const receiver = await startReceiver();
    const server = await startTestServer();
    await registerScript(server, "fails", "fails.sh", "exit 3\n");
    const finishOnly = await submitOk(server, "fails", { args: {}, fields: { notify_url: `${receiver.url}/finish`, name: "exit three" } });
    const every = await submitOk(server, "fails", { args: {}, fields: { notify_url: `${receiver.url}/all`, notify_on: "all" } });
    for (const task of [finishOnly, every]) await waitFinished(server, task.task_id);
    await waitUntil(() => receiver.delivered().length === 3, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 300));

    const [finished] = receiver.received.filter((each) => each.path === "/finish");
    expect(receiver.received.filter((each) => each.path === "/finish")).toHaveLength(1);
    expect(finished!.headers).toMatchObject({ "content-type": "application/json", "x-cubqueue-event": "finish" });
    expect(finished!.headers["user-agent"]).toMatch(/^cubqueue\//);
    expect(finished!.body).toMatchObject({ event: "finish", from: "running", to: "failed", task: { task_id: finishOnly.task_id, status: "failed", exit_code: 3, name: "exit three" } });
    expect(new Date(finished!.body.at).getTime()).not.toBeNaN();

    const all = receiver.received.filter((each) => each.path === "/all");
    expect(all.map((each) => [each.headers["x-cubqueue-event"], each.body.event, each.body.from, each.body.to])).toEqual([
      ["transition", "transition", "queued", "running"],
      ["finish", "finish", "running", "failed"],
    ]);
    expect(all.every((each) => each.body.task.task_id === every.task_id)).toBe(true);
    expect(server.loggedErrors).toEqual([]);
  });

  it("a receiver that fails is tried again, and what it is sent of one task still arrives in order", async () => {
    const receiver = await startReceiver({ failures: 2 });
    const server = await startTestServer();
    await registerScript(server, "ok", "ok.sh", "true\n");
    const { task_id: taskId } = await submitOk(server, "ok", { args: {}, fields: { notify_url: receiver.url, notify_on: "all" } });
    await waitFinished(server, taskId);
    // Two failures: the first change is tried after 1 s and again 2 s later.
    await waitUntil(() => receiver.delivered().length === 2, 15_000);
    expect(receiver.received.map((each) => [each.body.to, each.answered])).toEqual([
      ["running", 500],
      ["running", 500],
      ["running", 204],
      ["succeeded", 204],
    ]);
  });

  it("the server's --notify-url hears of every task, and --on-finish runs with the task in its environment", async () => {
    const receiver = await startReceiver();
    const out = await makeTempDir();
    onTestFinished(() => out.remove());
    const onFinish = `env | grep '^CUBQUEUE_TASK_' > '${out.path}'/"$CUBQUEUE_TASK_ID".env`;
    const server = await startTestServer({ notifyUrl: `${receiver.url}/server`, onFinish });
    await registerScript(server, "killed", "killed.sh", "kill -9 $$\n");
    await registerScript(server, "ok", "ok.sh", "true\n");
    const killed = await submitOk(server, "killed", { args: {}, fields: { name: "self kill" } });
    const ok = await submitOk(server, "ok", { args: {} });
    for (const task of [killed, ok]) await waitFinished(server, task.task_id);
    await waitUntil(() => receiver.delivered().length === 2, 10_000);
    expect(new Set(receiver.received.map((each) => `${each.body.task.task_id} ${each.body.to}`))).toEqual(new Set([`${killed.task_id} failed`, `${ok.task_id} succeeded`]));

    const envOf = async (taskId: string) => {
      const path = join(out.path, `${taskId}.env`);
      await waitUntil(async () => (await readFile(path, "utf8").catch(() => "")).includes("CUBQUEUE_TASK_JSON"), 10_000);
      return Object.fromEntries((await readFile(path, "utf8")).trim().split("\n").map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]));
    };
    const env = await envOf(killed.task_id);
    expect(env).toMatchObject({
      CUBQUEUE_TASK_ID: killed.task_id,
      CUBQUEUE_TASK_STATUS: "failed",
      CUBQUEUE_TASK_EXIT_CODE: "",
      CUBQUEUE_TASK_SIGNAL: "SIGKILL",
      CUBQUEUE_TASK_SCRIPT: "killed",
      CUBQUEUE_TASK_NAME: "self kill",
    });
    expect(JSON.parse(env.CUBQUEUE_TASK_JSON!)).toMatchObject({ task_id: killed.task_id, status: "failed", signal: "SIGKILL" });
    expect(await envOf(ok.task_id)).toMatchObject({ CUBQUEUE_TASK_STATUS: "succeeded", CUBQUEUE_TASK_EXIT_CODE: "0", CUBQUEUE_TASK_SIGNAL: "" });
  });

  it("a notify_url that is not an http(s) URL, or a notify_on that is neither finish nor all, is refused and nothing is kept", async () => {
    const server = await startTestServer();
    await registerScript(server, "ok", "ok.sh", "true\n");
    const refusals: Array<Record<string, string>> = [{ notify_url: "ftp://example.com/x" }, { notify_url: "not a url" }, { notify_url: "http://127.0.0.1:1/", notify_on: "sometimes" }];
    for (const fields of refusals) {
      const response = await submit(server, "ok", { args: {}, fields });
      expect(response.status).toBe(400);
      expect((await response.json()).error).toMatchObject({ code: "invalid_field", message: expect.stringMatching(/notify/) });
    }
    expect((await (await server.request("/api/task")).json()).tasks).toEqual([]);
  });
});

describe(`health and metrics (${SERVER_MODE} server)`, () => {
  it("/healthz answers without the token; /metrics, with it, counts tasks by state, attempts and their durations", async () => {
    const server = await startTestServer({ token: "metrics-token-123456" });
    const auth = { headers: { Authorization: "Bearer metrics-token-123456" } };
    const health = await server.request("/healthz");
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok", database: "ok" });
    expect((await server.request("/metrics")).status).toBe(401);

    const form = new FormData();
    form.set("name", "fails");
    form.set("desc", "fails");
    form.set("script", new Blob(["exit 1\n"]), "fails.sh");
    expect((await server.request("/api/script", { method: "POST", body: form, ...auth })).status).toBe(201);
    const submitted = [];
    for (const retries of ["0", "1"]) {
      const body = new FormData();
      body.set("script_name", "fails");
      body.set("max_retries", retries);
      body.set("retry_delay_s", "0");
      body.set("arg_file", new Blob(["{}"]), "args.json");
      const response = await server.request("/api/task", { method: "POST", body, ...auth });
      expect(response.status).toBe(201);
      submitted.push(((await response.json()) as { task_id: string }).task_id);
    }
    const authed = { request: (path: string, init?: RequestInit) => server.request(path, { ...init, ...auth }) };
    for (const taskId of submitted) await waitFinished(authed, taskId);

    const response = await server.request("/metrics", auth);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await response.text();
    const value = (name: string) => Number(new RegExp(`^${name.replace(/[{}]/g, "\\$&")} (\\S+)$`, "m").exec(text)?.[1]);
    expect(value('cubqueue_tasks{status="failed"}')).toBe(2);
    expect(value('cubqueue_tasks{status="queued"}')).toBe(0);
    expect(value("cubqueue_queue_depth")).toBe(0);
    expect(value("cubqueue_running")).toBe(0);
    expect(value("cubqueue_queue_paused")).toBe(0);
    expect(value("cubqueue_concurrency")).toBe(2);
    expect(value("cubqueue_attempts_total")).toBe(3);
    expect(value("cubqueue_attempt_duration_seconds_count")).toBe(3);
    expect(value("cubqueue_uploaded_bytes_total")).toBeGreaterThan(0);
    expect(text).toMatch(/^# TYPE cubqueue_attempt_duration_seconds histogram$/m);
  });
});
