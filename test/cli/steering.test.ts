import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CubQueueClient } from "../../src/client/index.ts";
import { registerScript, waitFinished, waitRunning, waitUntil } from "../support/api.ts";
import { runCubqueue } from "../support/cli.ts";
import { PROCESS_RUNTIME } from "../support/runtime.ts";
import { startTestServer } from "../support/test-server.ts";
import { makeTempDir } from "../support/temp-dir.ts";

describe("steering from the CLI", { timeout: 90_000 }, () => {
  it("an array from a folder, throttled; the queue shown, paused and resumed; hold, release, edit and suspend of single tasks", async () => {
    const server = await startTestServer({ concurrency: 2 });
    const work = await makeTempDir();
    try {
      const env = { CUBQUEUE_URL: server.url };
      const gate = join(work.path, "go");
      await registerScript(server, "gated", "gated.sh", `#!/bin/sh\ncat "$1"\nwhile [ ! -e '${gate}' ]; do sleep 0.02; done\n`);
      const samples = join(work.path, "samples");
      await mkdir(samples);
      for (const name of ["b", "a", "c"]) await writeFile(join(samples, `${name}.json`), JSON.stringify({ sample: name, ref: "<file1>" }));
      await writeFile(join(samples, "notes.txt"), "not an argument file");
      await writeFile(join(work.path, "ref.fa"), "ACGT\n");

      const submitted = await runCubqueue(
        ["submit", "--script", "gated", "--arg-files-from", samples, "--large-files", join(work.path, "ref.fa"), "--max-running", "1", "--priority", "-5", "--json"],
        env,
      );
      expect(submitted, submitted.stderr).toMatchObject({ code: 0 });
      const array = JSON.parse(submitted.stdout);
      expect(array).toMatchObject({ max_running: 1 });
      expect(array.task_ids).toHaveLength(3);
      const [first] = array.task_ids;
      await waitRunning(server, first);
      // In name order: a.json first.
      await waitUntil(async () => (await (await server.request(`/api/task/${first}/log`)).json()).content.includes('"sample":"a"'));

      const queue = await runCubqueue(["queue"], env);
      expect(queue.stdout).toMatch(/^queue:\s+running$/m);
      expect(queue.stdout).toMatch(/^concurrency: 2$/m);
      expect(queue.stdout).toMatch(/^running\s+1$/m);
      expect(queue.stdout).toMatch(/^queued\s+2$/m);

      // A task outside the array takes the second place; once held, it waits.
      await writeFile(join(work.path, "args.json"), '{"one": 1}');
      const single = (await runCubqueue(["submit", "--script", "gated", "--arg-file", join(work.path, "args.json"), "--hold", "--env", "A=b=c", "--quiet"], env)).stdout.trim();
      expect((await runCubqueue(["status", "--task-id", single, "--json"], env)).stdout).toContain('"status": "held"');
      const edited = await runCubqueue(["edit", "--task-id", single, "--priority", "7", "--timeout", "1h"], env);
      expect(edited, edited.stderr).toMatchObject({ code: 0, stdout: `Changed task ${single} (held, priority 7).\n` });
      const status = (await runCubqueue(["status", "--task-id", single], env)).stdout;
      expect(status).toMatch(/^priority: 7$/m);
      expect(status).toMatch(/^env:\s+A=b=c$/m);
      expect((await runCubqueue(["release", "--task-id", single], env)).stdout).toBe(`Task ${single} is queued again.\n`);
      await waitRunning(server, single);

      const suspended = await runCubqueue(["pause", "--task-id", single], env);
      expect(suspended.stdout).toBe(`Suspended task ${single}; go on with: ${PROCESS_RUNTIME === "deno" ? "deno task cubqueue" : "cubqueue"} resume ${single.slice(0, 8)}\n`);
      expect((await runCubqueue(["resume", "--task-id", single], env)).stdout).toBe(`Resumed task ${single}.\n`);

      const paused = await runCubqueue(["pause", "--json"], env);
      expect(JSON.parse(paused.stdout)).toMatchObject({ paused: true });
      expect(JSON.parse((await runCubqueue(["queue", "--concurrency", "3", "--json"], env)).stdout)).toMatchObject({ concurrency: 3, paused: true });
      expect((await runCubqueue(["resume"], env)).stdout).toMatch(/^Resumed the queue: 2 queued task\(s\) may start\.$/m);
      await writeFile(gate, "");
      for (const id of [...array.task_ids, single]) expect(await waitFinished(server, id)).toMatchObject({ status: "succeeded" });

      const refused = await runCubqueue(["hold", "--task-id", single], env);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr.trim().split("\n")).toHaveLength(1);
      expect(refused.stderr).toMatch(/is succeeded: only a queued task can be held/);
      const badEnv = await runCubqueue(["submit", "--script", "gated", "--arg-file", join(work.path, "args.json"), "--env", "NOVALUE"], env);
      expect(badEnv).toMatchObject({ code: 2 });
      expect(badEnv.stderr).toMatch(/Invalid --env "NOVALUE": use KEY=VALUE/);
    } finally {
      await work.remove();
    }
  });

  it("the client submits an array of lines, edits, holds, suspends and steers the queue", async () => {
    const server = await startTestServer({ concurrency: 1 });
    const work = await makeTempDir();
    try {
      const client = new CubQueueClient(server.url);
      const gate = join(work.path, "go");
      await registerScript(server, "gated", "gated.sh", `#!/bin/sh\ncat "$1"\nwhile [ ! -e '${gate}' ]; do sleep 0.02; done\n`);
      await writeFile(join(work.path, "lines.jsonl"), '{"n": 1}\n{"n": 2}\n');
      const array = await client.submitArray("gated", [], [], { argLinesPath: join(work.path, "lines.jsonl"), priority: 3 });
      expect(array.task_ids).toHaveLength(2);
      const [first, second] = array.task_ids as [string, string];
      await waitRunning(server, first);
      expect(await client.editTask(second, { priority: 9, afterAny: [first], env: { X: "1" }, timeoutS: null })).toMatchObject({
        priority: 9,
        env: { X: "1" },
        timeout_s: null,
        waiting_for: [first],
      });
      expect(await client.holdTask(second)).toMatchObject({ status: "held" });
      expect(await client.releaseTask(second)).toMatchObject({ status: "queued" });
      expect(await client.suspendTask(first)).toMatchObject({ status: "suspended" });
      expect(await client.resumeTask(first)).toMatchObject({ status: "running" });
      expect(await client.pauseQueue()).toMatchObject({ paused: true });
      expect(await client.setConcurrency(2)).toMatchObject({ concurrency: 2 });
      expect(await client.resumeQueue()).toMatchObject({ paused: false });
      await expect(client.editTask(first, { priority: 1 })).rejects.toMatchObject({ status: 409, code: "task_not_waiting" });
      await writeFile(gate, "");
      await waitFinished(server, second);
      expect(await readFile(join(server.baseDir, "tasks", second, "log.txt"), "utf8")).toBe('{"n": 2}');
      await waitUntil(async () => (await client.getQueue()).counts.succeeded === 2);
    } finally {
      await work.remove();
    }
  });
});
