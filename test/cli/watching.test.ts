import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { registerScript, submitOk, waitFinished, waitRunning, waitUntil } from "../support/api.ts";
import { runCubqueue } from "../support/cli.ts";
import { SERVER_MODE } from "../support/runtime.ts";
import { makeTempDir } from "../support/temp-dir.ts";
import { startTestServer } from "../support/test-server.ts";

const numbers = (first: number, last: number) => Array.from({ length: last - first + 1 }, (_, index) => `${first + index}\n`).join("");

describe(`watching from the CLI (${SERVER_MODE} server)`, { timeout: 120_000 }, () => {
  it("submit --wait prints the log as it is written, every line in order, and exits with the script's code", async () => {
    const server = await startTestServer();
    const work = await makeTempDir();
    try {
      await registerScript(server, "three", "three.sh", "for i in $(seq 0 19); do seq $((i * 100 + 1)) $((i * 100 + 100)); sleep 0.02; done\nexit 3\n");
      await writeFile(join(work.path, "args.json"), "{}");
      const run = await runCubqueue(["submit", "--script", "three", "--arg-file", join(work.path, "args.json"), "--wait"], { CUBQUEUE_URL: server.url });
      expect(run.code, run.stderr).toBe(3);
      // stdout is the script's output alone; what the CLI says goes to stderr.
      expect(run.stdout === numbers(1, 2000), run.stdout.slice(0, 200)).toBe(true);
      expect(run.stderr).toMatch(/^Submitted task [0-9a-f-]{36}; its log follows\. .*\ncubqueue: Task [0-9a-f]{8} failed \(the script exited with code 3\)\.\n$/);
    } finally {
      await work.remove();
    }
  });

  it("wait exits as the task did: its code, 128+signal, 124 at its time limit, 130 cancelled, 75 when --timeout gives up first", async () => {
    const server = await startTestServer({ concurrency: 6 });
    const env = { CUBQUEUE_URL: server.url };
    const scripts: Record<string, string> = { ok: "true\n", seven: "exit 7\n", killed: "kill -9 $$\n", slow: "sleep 30\n" };
    for (const [name, body] of Object.entries(scripts)) await registerScript(server, name, `${name}.sh`, body);
    const ok = await submitOk(server, "ok", { args: {} });
    const seven = await submitOk(server, "seven", { args: {} });
    const killed = await submitOk(server, "killed", { args: {} });
    const limited = await submitOk(server, "slow", { args: {}, fields: { timeout_s: "1" } });
    const cancelled = await submitOk(server, "slow", { args: {} });
    const going = await submitOk(server, "slow", { args: {} });
    await waitRunning(server, cancelled.task_id);
    expect((await server.request(`/api/task/${cancelled.task_id}`, { method: "DELETE" })).status).toBe(200);

    const waits = await Promise.all([
      runCubqueue(["wait", ok.task_id], env),
      runCubqueue(["wait", seven.task_id, "--quiet"], env),
      runCubqueue(["wait", killed.task_id], env),
      runCubqueue(["wait", limited.task_id], env),
      runCubqueue(["wait", cancelled.task_id], env),
      runCubqueue(["wait", going.task_id, "--timeout", "1s"], env),
    ]);
    expect(waits.map((run) => run.code)).toEqual([0, 7, 137, 124, 130, 75]);
    // --quiet: only why it did not succeed.
    expect([waits[1]!.stdout, waits[1]!.stderr]).toEqual(["", expect.stringMatching(/^cubqueue: Task [0-9a-f]{8} failed .*\n$/)]);
    expect(waits[5]!.stderr).toMatch(/still running/);
    expect((await (await server.request(`/api/task/${going.task_id}`)).json()).status).toBe("running");
    const limitedTask = await (await server.request(`/api/task/${limited.task_id}`)).json();
    expect(limitedTask).toMatchObject({ status: "failed", timed_out: true });

    const bad = await runCubqueue(["wait", ok.task_id, "--timeout", "soon"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^cubqueue: .*--timeout.*\n$/);
  });

  it("a task is named by the start of its id; an ambiguous start lists the tasks it matches; list filters by state, name, tags and time", async () => {
    const server = await startTestServer();
    const env = { CUBQUEUE_URL: server.url };
    await registerScript(server, "held", "held.sh", "true\n");
    // Seventeen ids: at least two share their first character.
    const ids: string[] = [];
    for (let index = 0; index < 17; index++) {
      const fields = { hold: "true", name: `chr${index} run`, tags: `sample=S${index % 2},batch=b` };
      ids.push((await submitOk(server, "held", { args: {}, fields })).task_id);
    }
    const shared = [...new Set(ids.map((id) => id[0]!))].find((char) => ids.filter((id) => id.startsWith(char)).length >= 2)!;

    const ambiguous = await runCubqueue(["status", shared], env);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(new RegExp(`^cubqueue: "${shared}" starts the ids of several tasks: .*; give more of the id\\.\\n$`));
    for (const id of ids.filter((each) => each.startsWith(shared)).slice(0, 5)) expect(ambiguous.stderr).toContain(id.slice(0, 8));
    const byPrefix = await runCubqueue(["status", ids[3]!.slice(0, 8), "--json"], env);
    expect(JSON.parse(byPrefix.stdout)).toMatchObject({ task_id: ids[3], name: "chr3 run", tags: { sample: "S1", batch: "b" } });
    const notAnId = await runCubqueue(["status", "zz-top"], env);
    expect([notAnId.code, notAnId.stderr]).toEqual([2, expect.stringMatching(/^cubqueue: "zz-top" is not a task id/)]);

    const listed = async (...args: string[]) => {
      const run = await runCubqueue(["list", "--json", ...args], env);
      expect(run.code, run.stderr).toBe(0);
      return (JSON.parse(run.stdout) as { tasks: Array<{ task_id: string }> }).tasks.map((task) => task.task_id).sort();
    };
    expect(await listed("--tag", "sample=S1", "--tag", "batch=b")).toEqual(ids.filter((_, index) => index % 2 === 1).sort());
    expect(await listed("--name", "chr1")).toEqual([ids[1], ...ids.slice(10, 17)].sort());
    expect(await listed("--status", "held", "--created-after", "1h", "--limit", "1000")).toEqual([...ids].sort());
    expect(await listed("--created-before", "1h")).toEqual([]);
    expect(await listed("--status", "queued")).toEqual([]);

    // --all reads every page; the table names each task.
    const table = await runCubqueue(["list", "--all", "--tag", "sample=S0"], env);
    expect(table.stdout.split("\n")[0]).toMatch(/^ID\s+NAME\s+SCRIPT\s+STATUS\s+PROGRESS\s+STARTED\s+DURATION\s+EXIT$/);
    expect(table.stdout.trim().split("\n")).toHaveLength(1 + 9);
    expect(table.stdout).toMatch(new RegExp(`^${ids[16]!.slice(0, 8)}\\s+chr16 run\\s+held\\s+held\\s+`, "m"));
    const badTag = await runCubqueue(["list", "--tag", "sample"], env);
    expect([badTag.code, badTag.stderr]).toEqual([2, expect.stringMatching(/^cubqueue: Invalid --tag "sample": use KEY=VALUE.*\n$/)]);
  });

  it("log -f follows a running task to its end, events TASK shows its changes and progress and ends with it", async () => {
    const server = await startTestServer();
    const work = await makeTempDir();
    try {
      const env = { CUBQUEUE_URL: server.url };
      const gate = join(work.path, "go");
      await registerScript(server, "gated", "gated.sh", `seq 1 50\necho "30 waiting" > "$CUBQUEUE_PROGRESS_FILE"\nwhile [ ! -e '${gate}' ]; do sleep 0.02; done\nseq 51 100\n`);
      const { task_id: taskId } = await submitOk(server, "gated", { args: {}, fields: { name: "gated one" } });
      await waitUntil(async () => (await (await server.request(`/api/task/${taskId}`)).json()).progress?.percent === 30, 10_000);

      const following = runCubqueue(["log", taskId.slice(0, 8), "-f", "--lines", "5"], env);
      const events = runCubqueue(["events", taskId, "--json"], env);
      const status = await runCubqueue(["status", taskId], env);
      expect(status.stdout).toMatch(/^name:\s+gated one$/m);
      expect(status.stdout).toMatch(/^progress:\s+30% waiting$/m);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await writeFile(gate, "");

      const followed = await following;
      expect(followed.code, followed.stderr).toBe(0);
      expect(followed.stdout).toBe(numbers(46, 100));
      const watched = await events;
      expect(watched.code, watched.stderr).toBe(0);
      const lines = watched.stdout.trim().split("\n").map((line) => JSON.parse(line));
      expect(lines.at(-1)).toMatchObject({ type: "transition", task_id: taskId, from: "running", to: "succeeded" });
      expect(lines.every((line) => line.task_id === taskId)).toBe(true);

      // Given a task that has finished, events says so and stops; log --all is the whole log.
      const after = await runCubqueue(["events", taskId], env);
      expect([after.code, after.stderr]).toEqual([0, `Task ${taskId.slice(0, 8)} has finished (succeeded); it has no more events.\n`]);
      const all = await runCubqueue(["log", taskId, "--all"], env);
      expect(all.stdout).toBe(numbers(1, 100));
      await waitFinished(server, taskId);
    } finally {
      await work.remove();
    }
  });
});
