import { readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it, onTestFinished } from "vitest";
import { unpackArchive } from "../../src/client/unpack.ts";
import { isProcessAlive } from "../../src/server/instance.ts";
import { makeTempDir } from "../support/temp-dir.ts";
import { expectError, registerFixture, registerScript, submitOk, waitFinished, waitRunning, waitUntil } from "../support/api.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

const UNKNOWN_ID = "00000000-0000-4000-8000-000000000000";

async function finishedEchoTask(server: TestServer) {
  await registerFixture(server, "echo_args.py", "echo_args");
  const created = await submitOk(server, "echo_args", { args: { label: "x" } });
  return waitFinished(server, created.task_id);
}

describe("unknown task ids", () => {
  it("answer 404 task_not_found for status, log, metadata, result and cancel", async () => {
    const server = await startTestServer();
    for (const id of [UNKNOWN_ID, "not-a-task", "..%2F..%2Fetc"]) {
      await expectError(await server.request(`/api/task/${id}`), 404, "task_not_found");
      await expectError(await server.request(`/api/task/${id}/log`), 404, "task_not_found");
      await expectError(await server.request(`/api/task/${id}/metadata`), 404, "task_not_found");
      await expectError(await server.request(`/api/task/${id}/result`), 404, "task_not_found");
      await expectError(await server.request(`/api/task/${id}`, { method: "DELETE" }), 404, "task_not_found");
    }
  });
});

describe("GET /api/task", () => {
  it("lists tasks newest first, pages with next_cursor and filters by status", async () => {
    const server = await startTestServer({ concurrency: 1 });
    await registerFixture(server, "echo_args.py", "echo_args");
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await submitOk(server, "echo_args", { args: { exit_code: i % 2 } })).task_id);
    for (const id of ids) await waitFinished(server, id);

    const first = await (await server.request("/api/task?limit=3")).json();
    expect(first.tasks.map((task: { task_id: string }) => task.task_id)).toEqual(ids.slice(2).reverse());
    const second = await (await server.request(`/api/task?limit=3&cursor=${first.next_cursor}`)).json();
    expect(second.tasks.map((task: { task_id: string }) => task.task_id)).toEqual(ids.slice(0, 2).reverse());
    expect(second.next_cursor).toBeNull();

    const failed = await (await server.request("/api/task?status=failed")).json();
    expect(failed.tasks.map((task: { task_id: string }) => task.task_id)).toEqual([ids[3], ids[1]]);
  });

  it("refuses a bad limit or status with 400", async () => {
    const server = await startTestServer();
    await expectError(await server.request("/api/task?limit=0"), 400, "invalid_request");
    await expectError(await server.request("/api/task?limit=abc"), 400, "invalid_request");
    await expectError(await server.request("/api/task?status=done"), 400, "invalid_request");
    await expectError(await server.request("/api/task?cursor=abc"), 400, "invalid_request");
    await expectError(await server.request("/api/task?cursor=99999999999999999"), 400, "invalid_request");
    await expectError(await server.request("/api/task?cursor=9999999999999999"), 400, "invalid_cursor");
  });
});

describe("GET /api/task/{task_id}/log", () => {
  it("answers an empty log for a task that has not started yet", async () => {
    const server = await startTestServer({ concurrency: 1 });
    await registerFixture(server, "sleeper.sh", "sleeper");
    await waitRunning(server, (await submitOk(server, "sleeper", { args: {} })).task_id);
    const queued = await submitOk(server, "sleeper", { args: {} });
    const log = await (await server.request(`/api/task/${queued.task_id}/log`)).json();
    expect(log).toMatchObject({ status: "queued", content: "" });
  });

  it("returns the last lines (100 by default)", async () => {
    const server = await startTestServer();
    await registerFixture(server, "count_lines.sh", "count_lines");
    const created = await submitOk(server, "count_lines", { args: { lines: 250 } });
    await waitFinished(server, created.task_id);

    const byDefault = await (await server.request(`/api/task/${created.task_id}/log`)).json();
    expect(byDefault.lines).toBe(100);
    expect(byDefault.content.split("\n").filter(Boolean)).toEqual(Array.from({ length: 100 }, (_, i) => `line ${151 + i}`));
    const three = await (await server.request(`/api/task/${created.task_id}/log?lines=3`)).json();
    expect(three.content).toBe("line 248\nline 249\nline 250\n");
    await expectError(await server.request(`/api/task/${created.task_id}/log?lines=0`), 400, "invalid_request");
  });
});

describe("GET /api/task/{task_id}/metadata and /result", () => {
  it("streams the folders as tar.gz by default, and as tar or zip on request", async () => {
    const server = await startTestServer();
    const task = await finishedEchoTask(server);
    const out = await makeTempDir();
    try {
      const result = await server.request(`/api/task/${task.task_id}/result`);
      expect(result.headers.get("content-type")).toBe("application/gzip");
      expect(result.headers.get("content-disposition")).toContain(`${task.task_id}-result.tar.gz`);
      await unpackArchive(Readable.fromWeb(result.body as never), join(out.path, "result"), "tar.gz");
      expect(JSON.parse(await readFile(join(out.path, "result", "summary.json"), "utf8"))).toEqual({ ok: true, label: "x" });

      const metadata = await server.request(`/api/task/${task.task_id}/metadata?format=tar`);
      expect(metadata.headers.get("content-type")).toBe("application/x-tar");
      await unpackArchive(Readable.fromWeb(metadata.body as never), join(out.path, "metadata"), "tar");
      expect(await readFile(join(out.path, "metadata", "nested", "note.txt"), "utf8")).toBe("intermediate\n");

      const zip = await server.request(`/api/task/${task.task_id}/result?format=zip`);
      expect(zip.headers.get("content-type")).toBe("application/zip");
      const bytes = new Uint8Array(await zip.arrayBuffer());
      expect([...bytes.subarray(0, 4)]).toEqual([0x50, 0x4b, 0x03, 0x04]);
      await expectError(await server.request(`/api/task/${task.task_id}/result?format=rar`), 400, "invalid_request");
    } finally {
      await out.remove();
    }
  });

  it("never puts anything from outside the task folder into an archive", async () => {
    const server = await startTestServer();
    const task = await finishedEchoTask(server);
    const output = join(server.baseDir, "tasks", task.task_id, "output");
    await symlink("/etc/passwd", join(output, "passwd"));
    await symlink(join(server.baseDir, "cubqueue.db"), join(output, "db"));
    await writeFile(join(server.baseDir, "secret.txt"), "secret");
    await symlink("../../../secret.txt", join(output, "secret"));
    const out = await makeTempDir();
    try {
      const response = await server.request(`/api/task/${task.task_id}/result?format=tar`);
      const unpacked = await unpackArchive(Readable.fromWeb(response.body as never), out.path, "tar");
      expect(unpacked.files).toBe(1);
      const tar = Buffer.from(await (await server.request(`/api/task/${task.task_id}/result?format=tar`)).arrayBuffer());
      expect(tar.includes("root:")).toBe(false);
      expect(tar.includes("secret")).toBe(false);
    } finally {
      await out.remove();
    }
  });
});

describe("DELETE /api/task/{task_id}", () => {
  it("ends a running task's whole process group and records it as cancelled", async () => {
    const server = await startTestServer();
    await registerFixture(server, "sleeper.sh", "sleeper");
    const created = await submitOk(server, "sleeper", { args: {} });
    const running = await waitRunning(server, created.task_id);
    const childPidFile = join(server.baseDir, "tasks", created.task_id, "metadata", "child.pid");
    await waitUntil(async () => (await readFile(childPidFile, "utf8").catch(() => "")).trim() !== "");
    const childPid = Number((await readFile(childPidFile, "utf8")).trim());
    expect(isProcessAlive(childPid)).toBe(true);

    const response = await server.request(`/api/task/${created.task_id}`, { method: "DELETE" });
    expect(response.status).toBe(200);
    const cancelled = await response.json();
    expect(cancelled).toMatchObject({ status: "cancelled", signal: "SIGTERM", exit_code: null });
    expect(cancelled.cancel_requested_at).not.toBeNull();
    expect(isProcessAlive(running.pid)).toBe(false);
    await waitUntil(() => !isProcessAlive(childPid));
  });

  it("kills a task that ignores TERM once the grace period is over", async () => {
    const server = await startTestServer({ killGraceMs: 300 });
    await registerScript(server, "stubborn", "stubborn.sh", "#!/bin/sh\ntrap '' TERM\necho ready\nwhile true; do sleep 0.05; done\n");
    const created = await submitOk(server, "stubborn", { args: {} });
    await waitRunning(server, created.task_id);
    await waitUntil(async () => (await readFile(join(server.baseDir, "tasks", created.task_id, "log.txt"), "utf8")).includes("ready"));
    const cancelled = await (await server.request(`/api/task/${created.task_id}`, { method: "DELETE" })).json();
    expect(cancelled).toMatchObject({ status: "cancelled", signal: "SIGKILL" });
  });

  it("cancels a queued task before it starts", async () => {
    const server = await startTestServer({ concurrency: 1 });
    await registerFixture(server, "sleeper.sh", "sleeper");
    const first = await submitOk(server, "sleeper", { args: {} });
    const second = await submitOk(server, "sleeper", { args: {} });
    await waitRunning(server, first.task_id);
    const cancelled = await (await server.request(`/api/task/${second.task_id}`, { method: "DELETE" })).json();
    expect(cancelled).toMatchObject({ status: "cancelled", attempts: 0, started_at: null, pid: null });
    expect(cancelled.error).toContain("before it started");
    await server.request(`/api/task/${first.task_id}`, { method: "DELETE" });
  });

  it("answers 409 for a task that already finished, and leaves it as it was", async () => {
    const server = await startTestServer();
    const task = await finishedEchoTask(server);
    await expectError(await server.request(`/api/task/${task.task_id}`, { method: "DELETE" }), 409, "task_finished");
    expect(await (await server.request(`/api/task/${task.task_id}`)).json()).toEqual(task);
  });
});

describe("the runner", () => {
  it("never runs more tasks at once than the concurrency limit, and runs them all", async () => {
    const server = await startTestServer({ concurrency: 2 });
    const gate = await makeTempDir();
    onTestFinished(gate.remove);
    const open = join(gate.path, "open");
    // Every task holds its slot until the test opens the gate: however fast or slow the submits, all 6 compete.
    await registerScript(server, "held", "held.sh", `#!/bin/sh\nwhile [ ! -e '${open}' ]; do sleep 0.02; done\n`);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await submitOk(server, "held", { args: {} })).task_id);
    const count = async (status: string) => (await (await server.request(`/api/task?status=${status}`)).json()).tasks.length;
    await waitUntil(async () => (await count("running")) === 2);
    // Sampled through the API, so it holds for a server in another process too.
    let peak = 0;
    for (const until = Date.now() + 500; Date.now() < until; ) peak = Math.max(peak, await count("running"));
    expect({ peak, queued: await count("queued") }).toEqual({ peak: 2, queued: 4 });
    let finished = false;
    const sampling = (async () => {
      while (!finished) peak = Math.max(peak, await count("running"));
    })();
    await writeFile(open, "");
    const tasks = await Promise.all(ids.map((id) => waitFinished(server, id)));
    finished = true;
    await sampling;
    expect(tasks.map((task) => task.status)).toEqual(Array(6).fill("succeeded"));
    expect(peak).toBe(2);
    const intervals = tasks.map((task) => [Date.parse(task.started_at), Date.parse(task.finished_at)] as const);
    for (const [start] of intervals) {
      const overlapping = intervals.filter(([s, f]) => s <= start && start < f).length;
      expect(overlapping).toBeLessThanOrEqual(2);
    }
  });

  it("records a script killed by a signal as failed with that signal", async () => {
    const server = await startTestServer();
    await registerScript(server, "suicide", "suicide.sh", "kill -SEGV $$\n");
    const task = await waitFinished(server, (await submitOk(server, "suicide", { args: {} })).task_id);
    expect(task).toMatchObject({ status: "failed", signal: "SIGSEGV", exit_code: null });
    expect(task.error).toContain("SIGSEGV");
  });
});
