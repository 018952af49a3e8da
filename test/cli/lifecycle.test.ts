import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CubQueueClient } from "../../src/client/index.ts";
import { registerScript, waitFinished, waitUntil } from "../support/api.ts";
import { runCubqueue } from "../support/cli.ts";
import { startTestServer } from "../support/test-server.ts";
import { makeTempDir } from "../support/temp-dir.ts";

const FLAKY = "#!/bin/sh\nn=$(cat metadata/runs 2>/dev/null || echo 0)\nn=$((n + 1))\necho $n > metadata/runs\necho \"run $n\"\n[ \"$n\" -ge 2 ]\n";

describe("retries and time limits from the CLI", () => {
  it("submit --retries --retry-delay --timeout, status shows the attempts, log --attempt reads an earlier one", async () => {
    const server = await startTestServer();
    const work = await makeTempDir();
    try {
      const env = { CUBQUEUE_URL: server.url };
      await registerScript(server, "flaky", "flaky.sh", FLAKY);
      await writeFile(join(work.path, "args.json"), "{}");
      const submitted = await runCubqueue(
        ["submit", "--script", "flaky", "--arg-file", join(work.path, "args.json"), "--retries", "2", "--retry-delay", "200ms", "--timeout", "1m", "--json"],
        env,
      );
      expect(submitted, submitted.stderr).toMatchObject({ code: 0 });
      const task = JSON.parse(submitted.stdout);
      expect(task).toMatchObject({ max_retries: 2, retry_delay_s: 0.2, retry_backoff: false, timeout_s: 60 });
      await waitFinished(server, task.task_id);

      const status = await runCubqueue(["status", "--task-id", task.task_id], env);
      expect(status.stdout).toMatch(/^attempts: 2 \(retries: up to 2, 0\.2s apart\)$/m);
      expect(status.stdout).toMatch(/^timeout:\s+1m$/m);
      expect(status.stdout).toMatch(/^#1:\s+.*the script exited with code 1\s+\(log\.1\.txt\)$/m);
      expect(status.stdout).toMatch(/^#2:\s+.*succeeded\s+\(log\.txt\)$/m);

      expect((await runCubqueue(["log", "--task-id", task.task_id, "--attempt", "1"], env)).stdout).toBe("run 1\n");
      expect((await runCubqueue(["log", "--task-id", task.task_id], env)).stdout).toBe("run 2\n");
      const asJson = JSON.parse((await runCubqueue(["log", "--task-id", task.task_id, "--attempt", "1", "--json"], env)).stdout);
      expect(asJson).toMatchObject({ attempt: 1, content: "run 1\n" });

      const missing = await runCubqueue(["log", "--task-id", task.task_id, "--attempt", "3"], env);
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toMatch(/has 2 attempts: ask for one from 1 to 2, not 3/);
    } finally {
      await work.remove();
    }
  });

  it("bad durations and counts are refused with one line before anything is sent", async () => {
    const server = await startTestServer();
    const work = await makeTempDir();
    try {
      const env = { CUBQUEUE_URL: server.url };
      await writeFile(join(work.path, "args.json"), "{}");
      const base = ["submit", "--script", "flaky", "--arg-file", join(work.path, "args.json")];
      for (const [args, message] of [
        [["--timeout", "soon"], /Invalid --timeout "soon": give a duration such as 90, 30s/],
        [["--retry-delay", "5x"], /Invalid --retry-delay "5x"/],
        [["--retries=-1"], /Invalid --retries "-1": give a whole number from 0 to 100/],
        [["--retries", "two"], /Invalid --retries "two"/],
      ] as const) {
        const result = await runCubqueue([...base, ...args], env);
        expect(result.code, result.stderr).toBe(2);
        expect(result.stderr.trim().split("\n")).toHaveLength(1);
        expect(result.stderr).toMatch(message);
      }
      // The range is the server's (max_retries), named by the flag.
      const tooMany = await runCubqueue([...base, "--retries", "500"], env);
      expect(tooMany).toMatchObject({ code: 2, stderr: 'cubqueue: Invalid --retries "500": give a whole number from 0 to 100.\n' });
      expect((await (await server.request("/api/task")).json()).tasks).toEqual([]);
    } finally {
      await work.remove();
    }
  });

  it("restart runs a finished task again, with a new argument file if given; a running one is refused in one line", async () => {
    const server = await startTestServer();
    const work = await makeTempDir();
    try {
      const env = { CUBQUEUE_URL: server.url };
      await registerScript(server, "show", "show.sh", '#!/bin/sh\ncat "$1"\n');
      await registerScript(server, "slow", "slow.sh", "#!/bin/sh\nsleep 30\n");
      await writeFile(join(work.path, "args.json"), '{"v": 1}');
      await writeFile(join(work.path, "new.json"), '{"v": 2}');
      const id = (await runCubqueue(["submit", "--script", "show", "--arg-file", join(work.path, "args.json"), "--quiet"], env)).stdout.trim();
      await waitFinished(server, id);

      const restarted = await runCubqueue(["restart", "--task-id", id, "--arg-file", join(work.path, "new.json")], env);
      expect(restarted, restarted.stderr).toMatchObject({ code: 0, stdout: `Restarted task ${id}: attempt 2 is queued.\n` });
      expect(await waitFinished(server, id)).toMatchObject({ status: "succeeded", attempts: 2 });
      expect((await runCubqueue(["log", "--task-id", id], env)).stdout).toBe('{"v": 2}');
      expect((await runCubqueue(["log", "--task-id", id, "--attempt", "1"], env)).stdout).toBe('{"v": 1}');
      const again = JSON.parse((await runCubqueue(["restart", "--task-id", id, "--json"], env)).stdout);
      expect(again).toMatchObject({ task_id: id, status: "queued", attempts: 2 });

      const slow = (await runCubqueue(["submit", "--script", "slow", "--arg-file", join(work.path, "args.json"), "--quiet"], env)).stdout.trim();
      await waitUntil(async () => (await (await server.request(`/api/task/${slow}`)).json()).status === "running");
      const refused = await runCubqueue(["restart", "--task-id", slow], env);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr.trim().split("\n")).toHaveLength(1);
      expect(refused.stderr).toMatch(/is running: only a finished task can be restarted; cancel it first, or wait for it to finish/);
    } finally {
      await work.remove();
    }
  });
});

describe("deleting from the CLI and the client", () => {
  it("delete removes a finished task, flush --status --older-than removes what matches, a running task stays", async () => {
    const server = await startTestServer();
    const work = await makeTempDir();
    try {
      const env = { CUBQUEUE_URL: server.url };
      await registerScript(server, "ok", "ok.sh", "#!/bin/sh\ntrue\n");
      await registerScript(server, "bad", "bad.sh", "#!/bin/sh\nexit 1\n");
      await registerScript(server, "slow", "slow.sh", "#!/bin/sh\nsleep 30\n");
      await writeFile(join(work.path, "args.json"), "{}");
      const submit = async (script: string) =>
        (await runCubqueue(["submit", "--script", script, "--arg-file", join(work.path, "args.json"), "--quiet"], env)).stdout.trim();
      const [one, two, bad, slow] = [await submit("ok"), await submit("ok"), await submit("bad"), await submit("slow")];
      for (const id of [one, two, bad]) await waitFinished(server, id);

      const deleted = await runCubqueue(["delete", "--task-id", one], env);
      expect(deleted, deleted.stderr).toMatchObject({ code: 0, stdout: `Deleted task ${one} (succeeded) and its folder.\n` });
      const refused = await runCubqueue(["delete", "--task-id", slow], env);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(/only a finished task can be deleted/);

      expect((await runCubqueue(["flush", "--status", "failed", "--older-than", "1h"], env)).stdout).toBe("Deleted 0 finished tasks.\n");
      expect(JSON.parse((await runCubqueue(["flush", "--status", "failed", "--json"], env)).stdout)).toEqual({ deleted: 1, task_ids: [bad] });
      const badStatus = await runCubqueue(["flush", "--status", "running"], env);
      expect(badStatus).toMatchObject({ code: 2 });
      expect(badStatus.stderr).toMatch(/Invalid --status "running": flush deletes only finished tasks/);

      const client = new CubQueueClient(server.url);
      expect(await client.flushTasks({ status: "succeeded" })).toEqual({ deleted: 1, task_ids: [two] });
      const left = (await client.listTasks()).map((task) => task.task_id);
      expect(left).toEqual([slow]);
      await expect(client.deleteTask(slow)).rejects.toMatchObject({ status: 409, code: "task_not_finished" });
    } finally {
      await work.remove();
    }
  });
});
