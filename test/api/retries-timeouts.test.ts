import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectError, expectNothingLeft, registerScript, submit, submitOk, waitFinished, waitRunning, waitUntil } from "../support/api.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

/** Counts its runs in metadata/ (the task folder is the same for every attempt) and succeeds from run `succeedAt` on. */
const flaky = (succeedAt: number) =>
  `#!/bin/sh\nn=$(cat metadata/runs 2>/dev/null || echo 0)\nn=$((n + 1))\necho $n > metadata/runs\necho "attempt $n"\n[ "$n" -ge ${succeedAt} ]\n`;

const getTask = async (server: TestServer, id: string) => (await server.request(`/api/task/${id}`)).json();
const seconds = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 1000;

describe("retries", () => {
  it("a failing attempt runs again with the same id until it succeeds; each attempt keeps its log and its outcome", async () => {
    const server = await startTestServer();
    await registerScript(server, "flaky", "flaky.sh", flaky(3));
    const { task_id } = await submitOk(server, "flaky", { args: {}, fields: { max_retries: "3", retry_delay_s: "0.3" } });
    const task = await waitFinished(server, task_id);
    expect(task).toMatchObject({ status: "succeeded", exit_code: 0, error: null, attempts: 3, max_retries: 3, retry_delay_s: 0.3 });
    expect(task.attempt_history.map((a: { number: number; error: string | null; exit_code: number; log: string }) => [a.number, a.exit_code, a.error, a.log])).toEqual([
      [1, 1, "the script exited with code 1", "log.1.txt"],
      [2, 1, "the script exited with code 1", "log.2.txt"],
      [3, 0, null, "log.txt"],
    ]);
    // Each retry waited its delay after the attempt before it ended.
    const [first, second, third] = task.attempt_history;
    expect(seconds(first.finished_at, second.started_at)).toBeGreaterThanOrEqual(0.29);
    expect(seconds(second.finished_at, third.started_at)).toBeGreaterThanOrEqual(0.29);

    const dir = join(server.baseDir, "tasks", task_id);
    expect(await readFile(join(dir, "log.1.txt"), "utf8")).toBe("attempt 1\n");
    expect(await readFile(join(dir, "log.2.txt"), "utf8")).toBe("attempt 2\n");
    expect(await readFile(join(dir, "log.txt"), "utf8")).toBe("attempt 3\n");
    const log = async (query: string) => (await server.request(`/api/task/${task_id}/log${query}`)).json();
    expect(await log("")).toMatchObject({ attempt: 3, content: "attempt 3\n" });
    expect(await log("?attempt=1")).toMatchObject({ attempt: 1, content: "attempt 1\n" });
    await expectError(await server.request(`/api/task/${task_id}/log?attempt=4`), 404, "attempt_not_found");
    await expectError(await server.request(`/api/task/${task_id}/log?attempt=0`), 400, "invalid_request");
  });

  it("a script that put a FIFO in its own copy's place fails its retry saying so, and the server is not held waiting on it", { timeout: 30_000 }, async () => {
    const server = await startTestServer();
    // Four of them: one stuck read each would hold every thread of libuv's pool.
    await registerScript(server, "fifo", "fifo.sh", '#!/bin/sh\nrm -f fifo.sh && mkfifo fifo.sh\nexit 1\n');
    const ids = await Promise.all([1, 2, 3, 4].map(async () => (await submitOk(server, "fifo", { args: {}, fields: { max_retries: "1", retry_delay_s: "0" } })).task_id));
    for (const id of ids) {
      const task = await waitFinished(server, id);
      expect(task).toMatchObject({ status: "failed", attempts: 2 });
      expect(task.attempt_history[1].error).toMatch(/fifo\.sh is not a regular file but a FIFO/);
    }
    await registerScript(server, "ok", "ok.sh", "#!/bin/sh\necho fine\n");
    expect(await waitFinished(server, (await submitOk(server, "ok", { args: {} })).task_id)).toMatchObject({ status: "succeeded" });
  });

  it("when the retries run out the task fails with its last attempt's reason", async () => {
    const server = await startTestServer();
    await registerScript(server, "flaky", "flaky.sh", flaky(99));
    const { task_id } = await submitOk(server, "flaky", { args: {}, fields: { max_retries: "1" } });
    expect(await waitFinished(server, task_id)).toMatchObject({ status: "failed", exit_code: 1, error: "the script exited with code 1", attempts: 2 });
  });

  it("a retry waiting out its delay is queued and says when it may start; backoff doubles the wait", async () => {
    const server = await startTestServer();
    await registerScript(server, "flaky", "flaky.sh", flaky(3));
    const { task_id } = await submitOk(server, "flaky", { args: {}, fields: { max_retries: "2", retry_delay_s: "1", retry_backoff: "true" } });
    await waitUntil(async () => (await getTask(server, task_id)).attempts === 1 && (await getTask(server, task_id)).status === "queued");
    const waiting = await getTask(server, task_id);
    expect(waiting).toMatchObject({ status: "queued", error: "the script exited with code 1", retry_backoff: true });
    expect(seconds(waiting.attempt_history[0].finished_at, waiting.next_attempt_at)).toBeCloseTo(1, 1);
    const task = await waitFinished(server, task_id);
    expect(task).toMatchObject({ status: "succeeded", attempts: 3, next_attempt_at: null });
    expect(seconds(task.attempt_history[1].finished_at, task.attempt_history[2].started_at)).toBeGreaterThanOrEqual(1.95);
  });

  it("a cancel is never retried", async () => {
    const server = await startTestServer();
    await registerScript(server, "slow", "slow.sh", "#!/bin/sh\nsleep 30\n");
    const { task_id } = await submitOk(server, "slow", { args: {}, fields: { max_retries: "5" } });
    await waitRunning(server, task_id);
    expect((await server.request(`/api/task/${task_id}`, { method: "DELETE" })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await getTask(server, task_id)).toMatchObject({ status: "cancelled", attempts: 1 });
  });
});

describe("cancelling a retry that waits", () => {
  it("is cancelled at once, saying it was waiting, and never runs again", async () => {
    const server = await startTestServer();
    await registerScript(server, "flaky", "flaky.sh", flaky(99));
    const { task_id } = await submitOk(server, "flaky", { args: {}, fields: { max_retries: "3", retry_delay_s: "30" } });
    await waitUntil(async () => (await getTask(server, task_id)).next_attempt_at !== null);
    const cancelled = await (await server.request(`/api/task/${task_id}`, { method: "DELETE" })).json();
    expect(cancelled).toMatchObject({ status: "cancelled", error: "cancelled while waiting to be retried", attempts: 1, next_attempt_at: null });
  });
});

describe("timeouts", () => {
  it("an attempt that runs past its limit gets TERM and fails, saying so", async () => {
    const server = await startTestServer();
    await registerScript(server, "slow", "slow.sh", "#!/bin/sh\necho started\nsleep 30\n");
    const { task_id } = await submitOk(server, "slow", { args: {}, fields: { timeout_s: "1" } });
    const task = await waitFinished(server, task_id);
    expect(task).toMatchObject({ status: "failed", error: "timed out after 1s", timed_out: true, timeout_s: 1 });
    expect(seconds(task.started_at, task.finished_at)).toBeGreaterThanOrEqual(0.95);
    expect(seconds(task.started_at, task.finished_at)).toBeLessThan(5);
  });

  it("a script that ignores TERM is killed after the grace period", async () => {
    const server = await startTestServer();
    await registerScript(server, "stubborn", "stubborn.sh", "#!/bin/sh\ntrap '' TERM\necho trapped\nsleep 30\n");
    // Long enough for the shell to have set its trap on a loaded machine before TERM comes.
    const { task_id } = await submitOk(server, "stubborn", { args: {}, fields: { timeout_s: "2" } });
    const task = await waitFinished(server, task_id);
    expect(task).toMatchObject({ status: "failed", error: "timed out after 2s" });
    expect((await (await server.request(`/api/task/${task_id}/log`)).json()).content).toBe("trapped\n");
    // The test server's grace is 1 s: TERM at 2 s is ignored, KILL follows at about 3 s.
    expect(seconds(task.started_at, task.finished_at)).toBeGreaterThanOrEqual(2.9);
    expect(seconds(task.started_at, task.finished_at)).toBeLessThan(8);
  });

  it("a timed-out attempt is retried while retries are left, each with the full limit", async () => {
    const server = await startTestServer();
    await registerScript(server, "slow", "slow.sh", "#!/bin/sh\nsleep 30\n");
    const { task_id } = await submitOk(server, "slow", { args: {}, fields: { timeout_s: "0.5", max_retries: "1" } });
    const task = await waitFinished(server, task_id);
    expect(task).toMatchObject({ status: "failed", error: "timed out after 0.5s", attempts: 2 });
    for (const attempt of task.attempt_history) {
      expect(attempt.error).toBe("timed out after 0.5s");
      expect(seconds(attempt.started_at, attempt.finished_at)).toBeGreaterThanOrEqual(0.45);
    }
  });
});

describe("retry and timeout fields out of range", () => {
  const cases: Array<[string, Record<string, string>]> = [
    ["negative retries", { max_retries: "-1" }],
    ["too many retries", { max_retries: "101" }],
    ["fractional retries", { max_retries: "1.5" }],
    ["a word for a delay", { retry_delay_s: "soon" }],
    ["a delay past 7 days", { retry_delay_s: "604801" }],
    ["a zero timeout", { timeout_s: "0" }],
    ["an exponent", { timeout_s: "1e3" }],
    ["backoff that is not true or false", { retry_backoff: "yes" }],
  ];
  it.each(cases)("%s: 400 invalid_field, naming the range, and nothing is kept", async (_name, fields) => {
    const server = await startTestServer();
    await registerScript(server, "slow", "slow.sh", "#!/bin/sh\ntrue\n");
    const response = await submit(server, "slow", { args: {}, fields });
    const body = await response.clone().json();
    await expectError(response, 400, "invalid_field");
    expect(body.error.message).toContain(Object.keys(fields)[0]);
    await expectNothingLeft(server);
  });
});
