import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { registerScript, submitOk, waitFinished } from "../support/api.ts";
import { jobInfo, startSlurmServer } from "./support.ts";

/** Runs past any limit in its first attempt (counted in metadata/), and succeeds in the next. */
const SECOND_TIME_LUCKY = `#!/bin/sh
n=$(cat metadata/runs 2>/dev/null || echo 0)
n=$((n + 1))
echo $n > metadata/runs
echo "attempt $n"
[ "$n" -ge 2 ] && exit 0
sleep 600
`;

// Slurm's shortest limit is a minute, and slurmctld checks limits every 30 s: this test takes 60-100 s,
// and runs beside the others.
describe("Slurm's own time limit", () => {
  it("a job Slurm ends at its time limit is recorded with Slurm's reason, and retried", { timeout: 180_000 }, async () => {
    const server = await startSlurmServer();
    await registerScript(server, "lucky", "lucky.sh", SECOND_TIME_LUCKY);
    // No CubQueue limit: only Slurm's, passed through.
    const { task_id } = await submitOk(server, "lucky", { args: {}, fields: { max_retries: "1", slurm_options: JSON.stringify(["--time=1"]) } });
    const task = await waitFinished(server, task_id, 170_000);
    expect(task).toMatchObject({ status: "succeeded", attempts: 2, timeout_s: null });
    const [first] = task.attempt_history;
    expect(first).toMatchObject({
      error: `Slurm ended job ${first.slurm_job_id}: its time limit was reached (TIMEOUT, TimeLimit)`,
      signal: "SIGTERM",
    });
    expect(await jobInfo(first.slurm_job_id)).toMatchObject({ JobState: "TIMEOUT", TimeLimit: "00:01:00" });
    expect(await readFile(join(server.baseDir, "tasks", task_id, "log.1.txt"), "utf8")).toMatch(/attempt 1\n[^]*DUE TO TIME LIMIT/);
  });
});
