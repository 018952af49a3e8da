import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectError, expectNothingLeft, registerScript, submit, submitOk, waitFinished, waitRunning, waitUntil } from "../support/api.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

const getTask = async (server: TestServer, id: string) => (await server.request(`/api/task/${id}`)).json();
const post = (server: TestServer, path: string) => server.request(path, { method: "POST" });

/** Waits until the file `gate` (in the base dir) exists, then appends its name ($1's "name") to started.txt in the base dir. */
async function registerGated(server: TestServer) {
  const gate = join(server.baseDir, "go");
  const started = join(server.baseDir, "started.txt");
  await registerScript(
    server,
    "gated",
    "gated.py",
    `import json, os, sys, time
name = json.load(open(sys.argv[1])).get("name", "")
with open(${JSON.stringify(started)}, "a") as out:
    out.write(name + "\\n")
while not os.path.exists(${JSON.stringify(gate)}):
    time.sleep(0.02)
`,
  );
  return { open: () => writeFile(gate, ""), started: async () => (await readFile(started, "utf8").catch(() => "")).split("\n").filter(Boolean) };
}

describe("priorities", () => {
  it("a higher priority starts first, equal ones oldest first; an edit moves a queued task", async () => {
    const server = await startTestServer({ concurrency: 1 });
    const gated = await registerGated(server);
    await registerScript(server, "note", "note.py", `import json, sys\nopen(${JSON.stringify(join(server.baseDir, "x"))}, "a").write(json.load(open(sys.argv[1]))["name"] + "\\n")\n`);
    const blocker = (await submitOk(server, "gated", { args: { name: "blocker" } })).task_id;
    await waitRunning(server, blocker);
    const ids: Record<string, string> = {};
    for (const [name, priority] of [["low", "-5"], ["first", "0"], ["high", "10"], ["second", "0"], ["moved", "0"]] as const) {
      ids[name] = (await submitOk(server, "note", { args: { name }, fields: { priority } })).task_id;
    }
    expect(await getTask(server, ids.high!)).toMatchObject({ status: "queued", priority: 10 });
    const edited = await server.request(`/api/task/${ids.moved}`, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ priority: 20 }) });
    expect(edited.status, await edited.clone().text()).toBe(200);
    expect(await edited.json()).toMatchObject({ priority: 20, status: "queued" });

    await gated.open();
    for (const id of Object.values(ids)) await waitFinished(server, id);
    expect((await readFile(join(server.baseDir, "x"), "utf8")).split("\n").filter(Boolean)).toEqual(["moved", "high", "first", "second", "low"]);
  });

  it("a priority out of range, or not a number, is refused and nothing is kept", async () => {
    const server = await startTestServer();
    await registerScript(server, "noop", "noop.sh", "#!/bin/sh\ntrue\n");
    await expectError(await submit(server, "noop", { args: {}, fields: { priority: "1000001" } }), 400, "invalid_field");
    await expectError(await submit(server, "noop", { args: {}, fields: { priority: "high" } }), 400, "invalid_field");
    await expectNothingLeft(server);
  });
});

describe("dependencies", () => {
  it("a task waits for its dependencies and shows which; a failure cancels those that waited for its success, down the chain, and lets after_any ones run", async () => {
    const server = await startTestServer({ concurrency: 2 });
    const gated = await registerGated(server);
    await registerScript(server, "fail", "fail.py", "import json, os, sys\nopen(os.path.join(os.environ['CUBQUEUE_OUTPUT_DIR'], 'x'), 'w')\nsys.exit(3)\n");
    await registerScript(server, "ok", "ok.sh", "#!/bin/sh\necho ok\n");
    const first = (await submitOk(server, "gated", { args: { name: "first" } })).task_id;
    const afterFirst = (await submitOk(server, "ok", { args: {}, fields: { after: first } })).task_id;
    expect(await getTask(server, afterFirst)).toMatchObject({ status: "queued", waiting_for: [first], dependencies: [{ task_id: first, kind: "afterok" }] });

    const failing = (await submitOk(server, "fail", { args: {}, fields: { after: first } })).task_id;
    const afterFailing = (await submitOk(server, "ok", { args: {}, fields: { after: failing } })).task_id;
    const chained = (await submitOk(server, "ok", { args: {}, fields: { after: `${afterFailing},${first}` } })).task_id;
    const anyway = (await submitOk(server, "ok", { args: {}, fields: { after_any: failing } })).task_id;

    await gated.open();
    expect(await waitFinished(server, afterFirst)).toMatchObject({ status: "succeeded" });
    expect(await waitFinished(server, failing)).toMatchObject({ status: "failed", exit_code: 3 });
    expect(await waitFinished(server, afterFailing)).toMatchObject({
      status: "cancelled",
      attempts: 0,
      error: `cancelled: it was to run after ${failing} succeeded, and that task failed`,
    });
    expect(await waitFinished(server, chained)).toMatchObject({
      status: "cancelled",
      error: `cancelled: it was to run after ${afterFailing} succeeded, and that task was cancelled`,
    });
    expect(await waitFinished(server, anyway)).toMatchObject({ status: "succeeded", waiting_for: [] });
  });

  it("a dependency that is unknown, another's twice, or already failed is refused and nothing is kept", async () => {
    const server = await startTestServer();
    await registerScript(server, "fail", "fail.sh", "#!/bin/sh\nexit 1\n");
    const failed = (await submitOk(server, "fail", { args: {} })).task_id;
    await waitFinished(server, failed);
    const before = (await (await server.request("/api/task")).json()).tasks.length;
    await expectError(await submit(server, "fail", { args: {}, fields: { after: "0b7f7c5e-0000-4000-8000-000000000000" } }), 400, "invalid_dependency");
    await expectError(await submit(server, "fail", { args: {}, fields: { after: "not-an-id" } }), 400, "invalid_field");
    await expectError(await submit(server, "fail", { args: {}, fields: { after: failed, after_any: failed } }), 400, "invalid_field");
    await expectError(await submit(server, "fail", { args: {}, fields: { after: failed } }), 409, "dependency_failed");
    expect((await (await server.request("/api/task")).json()).tasks.length).toBe(before);
    // Waiting for a failed task's end is fine.
    expect(await waitFinished(server, (await submitOk(server, "fail", { args: {}, fields: { after_any: failed } })).task_id)).toMatchObject({ status: "failed" });
  });

  it("an edit may not make a task wait for itself, or close a cycle", async () => {
    const server = await startTestServer({ concurrency: 1 });
    const gated = await registerGated(server);
    const blocker = (await submitOk(server, "gated", { args: { name: "b" } })).task_id;
    await waitRunning(server, blocker);
    const a = (await submitOk(server, "gated", { args: { name: "a" } })).task_id;
    const b = (await submitOk(server, "gated", { args: { name: "b" }, fields: { after: a } })).task_id;
    const patch = (id: string, body: unknown) => server.request(`/api/task/${id}`, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    await expectError(await patch(a, { after: a }), 400, "invalid_dependency");
    await expectError(await patch(a, { after: [b] }), 400, "invalid_dependency");
    await expectError(await patch(a, { colour: "red" }), 400, "unexpected_field");
    expect(await getTask(server, a)).toMatchObject({ dependencies: [] });
    await gated.open();
  });
});

describe("arrays", () => {
  it("one request makes a task per argument file and per line, the shared files uploaded and stored once; max_running holds", async () => {
    const server = await startTestServer({ concurrency: 4 });
    const lock = join(server.baseDir, "running.lock");
    // Each task holds a lock folder while it runs: a second one at once would find it taken.
    await registerScript(
      server,
      "sample",
      "sample.sh",
      `#!/bin/sh
mkdir '${lock}' 2>/dev/null || echo overlap >> '${join(server.baseDir, "overlaps")}'
sample=$(sed 's/.*"sample": *"\\([^"]*\\)".*/\\1/' "$1")
ref=$(sed 's/.*"ref": *"\\([^"]*\\)".*/\\1/' "$1")
sleep 0.1
echo "$sample $(cat "$ref")" > "$CUBQUEUE_OUTPUT_DIR/out.txt"
rmdir '${lock}'
`,
    );
    const form = new FormData();
    form.set("script_name", "sample");
    form.set("max_running", "1");
    for (const sample of ["a", "b", "c"]) form.append("arg_file", new Blob([JSON.stringify({ sample, ref: "<file1>" })]), `${sample}.json`);
    form.set("arg_lines", new Blob(['{"sample": "d", "ref": "<file1>"}\n\n{"sample": "e", "ref": "<file1>"}\n']), "more.jsonl");
    form.set("file1", new Blob(["ACGT"]), "ref.fa");
    const response = await server.request("/api/task/array", { method: "POST", body: form });
    expect(response.status, await response.clone().text()).toBe(201);
    const array = await response.json();
    expect(array).toMatchObject({ array_id: expect.any(String), max_running: 1 });
    expect(array.task_ids).toHaveLength(5);

    const outputs = [];
    for (const id of array.task_ids) {
      expect(await waitFinished(server, id)).toMatchObject({ status: "succeeded", array_id: array.array_id });
      outputs.push((await readFile(join(server.baseDir, "tasks", id, "output", "out.txt"), "utf8")).trim());
    }
    expect(outputs).toEqual(["a ACGT", "b ACGT", "c ACGT", "d ACGT", "e ACGT"]);
    expect(await readFile(join(server.baseDir, "overlaps"), "utf8").catch(() => "")).toBe("");
    // Stored once: every task's file is the same inode.
    const task = await getTask(server, array.task_ids[0]);
    const inodes = await Promise.all(array.task_ids.map(async (id: string) => (await stat(join(server.baseDir, "tasks", id, "files", task.files[0].stored_name))).ino));
    expect(new Set(inodes).size).toBe(1);
  });

  it("a bad line refuses the whole array, naming the line, and keeps nothing", async () => {
    const server = await startTestServer();
    await registerScript(server, "noop", "noop.sh", "#!/bin/sh\ntrue\n");
    const form = new FormData();
    form.set("script_name", "noop");
    form.set("arg_lines", new Blob(['{"ok": 1}\n{"broken": \n']), "samples.jsonl");
    form.set("file1", new Blob(["data"]), "in.txt");
    const body = await expectError(await server.request("/api/task/array", { method: "POST", body: form }), 400, "invalid_arg_file");
    expect(body.error.message).toContain("samples.jsonl, line 2");
    await expectNothingLeft(server);
  });
});

describe("holding and suspending", () => {
  it("a task submitted held starts only once released; hold and release say when they do not apply", async () => {
    const server = await startTestServer();
    await registerScript(server, "ok", "ok.sh", "#!/bin/sh\necho ok\n");
    const id = (await submitOk(server, "ok", { args: {}, fields: { hold: "true" } })).task_id;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await getTask(server, id)).toMatchObject({ status: "held", attempts: 0 });
    await expectError(await post(server, `/api/task/${id}/hold`), 409, "task_not_queued");
    expect(await (await post(server, `/api/task/${id}/release`)).json()).toMatchObject({ task_id: id });
    expect(await waitFinished(server, id)).toMatchObject({ status: "succeeded" });
    await expectError(await post(server, `/api/task/${id}/release`), 409, "task_not_held");
    await expectError(await post(server, `/api/task/${id}/suspend`), 409, "task_not_running");
  });

  it("a suspended task's processes stop and its time limit stops counting; resumed, it goes on", { timeout: 30_000 }, async () => {
    const server = await startTestServer();
    const gate = join(server.baseDir, "go");
    await registerScript(server, "ticker", "ticker.sh", `#!/bin/sh\nwhile [ ! -e '${gate}' ]; do echo tick; sleep 0.05; done\necho done\n`);
    // Its clock starts at the claim: on a loaded machine, the launcher's start and the polls take
    // part of it before the suspend does.
    const id = (await submitOk(server, "ticker", { args: {}, fields: { timeout_s: "4" } })).task_id;
    const { pid } = await waitRunning(server, id);
    expect(await (await post(server, `/api/task/${id}/suspend`)).json()).toMatchObject({ status: "suspended" });
    // SIGSTOP is sent when the answer comes; the kernel stops the process a moment later.
    await waitUntil(async () => (await processState(pid)) === "T", 2_000);
    const log = join(server.baseDir, "tasks", id, "log.txt");
    const size = (await stat(log)).size;
    // Longer than its time limit: suspended time does not count.
    await new Promise((resolve) => setTimeout(resolve, 4_500));
    expect((await stat(log)).size).toBe(size);
    expect(await getTask(server, id)).toMatchObject({ status: "suspended" });
    await expectError(await post(server, `/api/task/${id}/suspend`), 409, "task_not_running");
    expect(await (await post(server, `/api/task/${id}/resume`)).json()).toMatchObject({ status: "running" });
    await waitUntil(async () => (await stat(log)).size > size);
    await writeFile(gate, "");
    const task = await waitFinished(server, id);
    expect(task).toMatchObject({ status: "succeeded" });
    expect(task.attempt_history[0].suspended_s).toBeGreaterThanOrEqual(4.4);
  });

  it("a suspended task can be cancelled", async () => {
    const server = await startTestServer();
    await registerScript(server, "sleeper", "sleeper.sh", "#!/bin/sh\nsleep 60\n");
    const id = (await submitOk(server, "sleeper", { args: {} })).task_id;
    await waitRunning(server, id);
    await post(server, `/api/task/${id}/suspend`);
    const cancelled = await server.request(`/api/task/${id}`, { method: "DELETE" });
    expect(await cancelled.json()).toMatchObject({ status: "cancelled" });
  });
});

describe("the queue", () => {
  it("paused, nothing new starts while running tasks go on; resumed, the queue moves on; its concurrency changes live", async () => {
    const server = await startTestServer({ concurrency: 1 });
    const gated = await registerGated(server);
    const first = (await submitOk(server, "gated", { args: { name: "first" } })).task_id;
    await waitRunning(server, first);
    // Running is recorded once the process is spawned; the script says it started a little later.
    await waitUntil(async () => (await gated.started()).length === 1);
    expect(await (await post(server, "/api/queue/pause")).json()).toMatchObject({ paused: true, concurrency: 1 });
    const waiting = [1, 2, 3].map((n) => `w${n}`);
    const ids = [];
    for (const name of waiting) ids.push((await submitOk(server, "gated", { args: { name } })).task_id);
    const patch = await server.request("/api/queue", { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ concurrency: 3 }) });
    expect(await patch.json()).toMatchObject({ concurrency: 3, paused: true });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await gated.started()).toEqual(["first"]);
    const queue = await (await server.request("/api/queue")).json();
    expect(queue).toMatchObject({ paused: true, counts: { running: 1, queued: 3 } });

    await post(server, "/api/queue/resume");
    // Room for two more now (3 at once): they start while the first still runs.
    await waitUntil(async () => (await gated.started()).length === 3);
    expect((await (await server.request("/api/queue")).json()).counts).toMatchObject({ running: 3, queued: 1 });
    await gated.open();
    for (const id of ids) await waitFinished(server, id);
    await expectError(
      await server.request("/api/queue", { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ concurrency: 0 }) }),
      400,
      "invalid_request",
    );
  });
});

describe("slots", () => {
  it("a GPU task gets GPUs no other running task holds, and waits for one to be free; asking for more than the server has is refused", async () => {
    const server = await startTestServer({ concurrency: 4, cpus: 4, gpus: ["0", "1"] });
    const gate = join(server.baseDir, "go");
    await registerScript(
      server,
      "gpu",
      "gpu.sh",
      `#!/bin/sh\necho "$CUDA_VISIBLE_DEVICES/$CUBQUEUE_GPUS/$CUBQUEUE_CPUS" > "$CUBQUEUE_OUTPUT_DIR/gpus"\nwhile [ ! -e '${gate}' ]; do sleep 0.02; done\n`,
    );
    const ids = [];
    for (let n = 0; n < 3; n++) ids.push((await submitOk(server, "gpu", { args: {}, fields: { gpus: "1", cpus: "1" } })).task_id);
    await waitRunning(server, ids[0]!);
    await waitRunning(server, ids[1]!);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await getTask(server, ids[2]!)).toMatchObject({ status: "queued" });
    const seen = await Promise.all(ids.slice(0, 2).map((id) => readFile(join(server.baseDir, "tasks", id, "output", "gpus"), "utf8")));
    expect(seen.sort()).toEqual(["0/0/1\n", "1/1/1\n"]);
    expect((await (await server.request("/api/queue")).json()).gpus).toEqual({ total: ["0", "1"], free: [] });

    await expectError(await submit(server, "gpu", { args: {}, fields: { gpus: "3" } }), 400, "exceeds_server_slots");
    await expectError(await submit(server, "gpu", { args: {}, fields: { cpus: "5" } }), 400, "exceeds_server_slots");
    await writeFile(gate, "");
    for (const id of ids) expect(await waitFinished(server, id)).toMatchObject({ status: "succeeded" });
    // The third got a GPU once one was free, and a task that asked for none sees none.
    expect(["0/0/1\n", "1/1/1\n"]).toContain(await readFile(join(server.baseDir, "tasks", ids[2]!, "output", "gpus"), "utf8"));
    const cpuOnly = (await submitOk(server, "gpu", { args: {}, fields: { cpus: "2" } })).task_id;
    await waitFinished(server, cpuOnly);
    expect(await readFile(join(server.baseDir, "tasks", cpuOnly, "output", "gpus"), "utf8")).toBe("//2\n");
  });
});

describe("variables", () => {
  it("env is set for every attempt; CubQueue's own names are refused", async () => {
    const server = await startTestServer();
    await registerScript(server, "env", "env.sh", '#!/bin/sh\necho "$GREETING, $NAME"\n');
    const id = (await submitOk(server, "env", { args: {}, fields: { env: JSON.stringify({ GREETING: "hello", NAME: "a = b" }) } })).task_id;
    await waitFinished(server, id);
    expect((await getTask(server, id)).env).toEqual({ GREETING: "hello", NAME: "a = b" });
    expect(await (await server.request(`/api/task/${id}/log`)).json()).toMatchObject({ content: "hello, a = b\n" });
    await expectError(await submit(server, "env", { args: {}, fields: { env: JSON.stringify({ CUBQUEUE_TASK_ID: "x" }) } }), 400, "invalid_field");
    await expectError(await submit(server, "env", { args: {}, fields: { env: "[1]" } }), 400, "invalid_field");
  });
});

describe("editing", () => {
  it("a queued task's argument file, retries and time limit can be changed; a started one cannot be edited", async () => {
    const server = await startTestServer({ concurrency: 1 });
    const gated = await registerGated(server);
    await registerScript(server, "echo_args", "echo_args.sh", '#!/bin/sh\ncat "$1"\n');
    const blocker = (await submitOk(server, "gated", { args: { name: "b" } })).task_id;
    await waitRunning(server, blocker);
    const id = (await submitOk(server, "echo_args", { args: { version: 1 } })).task_id;
    const form = new FormData();
    form.set("max_retries", "2");
    form.set("timeout_s", "30");
    form.set("arg_file", new Blob(['{"version":2}']), "new.json");
    const edited = await server.request(`/api/task/${id}`, { method: "PATCH", body: form });
    expect(edited.status, await edited.clone().text()).toBe(200);
    expect(await edited.json()).toMatchObject({ status: "queued", max_retries: 2, timeout_s: 30 });
    await expectError(await server.request(`/api/task/${blocker}`, { method: "PATCH", body: form }), 409, "task_not_waiting");
    await gated.open();
    await waitFinished(server, id);
    expect(await (await server.request(`/api/task/${id}/log`)).json()).toMatchObject({ content: '{"version":2}' });
  });
});

/** The state letter of a process (R, S, T for stopped, …), from /proc. */
async function processState(pid: number): Promise<string> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0]!;
}
