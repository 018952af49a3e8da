import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CubQueueApiError, CubQueueClient } from "../../src/client/index.ts";
import { registerScript } from "../support/api.ts";
import { makeTempDir } from "../support/temp-dir.ts";
import { startTestServer } from "../support/test-server.ts";

describe("retries and time limits through the client", () => {
  it("submitTask takes maxRetries, retryDelayS, retryBackoff and timeoutS; getTaskLog reads any attempt; restartTask runs it again", async () => {
    const server = await startTestServer();
    const work = await makeTempDir();
    try {
      await registerScript(server, "always_fails", "fails.sh", "#!/bin/sh\necho \"run in $CUBQUEUE_TASK_ID\"\nexit 4\n");
      await writeFile(join(work.path, "args.json"), "{}");
      const client = new CubQueueClient(server.url);
      const id = await client.submitTask("always_fails", join(work.path, "args.json"), [], {
        maxRetries: 1,
        retryDelayS: 0.1,
        retryBackoff: true,
        timeoutS: 30,
      });
      const task = await client.waitForTask(id, { timeoutMs: 20_000 });
      expect(task).toMatchObject({ status: "failed", exit_code: 4, attempts: 2, max_retries: 1, retry_backoff: true, timeout_s: 30 });
      expect(task.attempt_history.map((attempt) => attempt.log)).toEqual(["log.1.txt", "log.txt"]);
      expect(await client.getTaskLog(id, 10, { attempt: 1 })).toBe(`run in ${id}\n`);
      expect((await client.getTaskLogTail(id, 10)).attempt).toBe(2);
      const error = await client.getTaskLog(id, 10, { attempt: 9 }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(CubQueueApiError);
      expect(error).toMatchObject({ status: 404, code: "attempt_not_found" });

      // A restart runs it again, its one retry counted afresh: attempts 3 and 4.
      expect(await client.restartTask(id)).toMatchObject({ task_id: id, status: "queued", attempts: 2 });
      expect(await client.waitForTask(id, { timeoutMs: 20_000 })).toMatchObject({ status: "failed", attempts: 4 });
      await writeFile(join(work.path, "bad.json"), '{"x": "<file1>"}');
      await expect(client.restartTask(id, { argFilePath: join(work.path, "bad.json") })).rejects.toMatchObject({ status: 400, code: "unknown_placeholder" });
    } finally {
      await work.remove();
    }
  });
});
