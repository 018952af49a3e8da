import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { registerScript, submitOk, waitFinished, waitUntil } from "../support/api.ts";
import { jobInfo, jobState, slurm, slurmJobOf, startSlurmServer, waitJobRunning } from "./support.ts";

const SLEEPER = '#!/bin/sh\necho "started"\nsleep 300\necho "not reached"\n';

/** Sleeps in its first attempt (counted in metadata/, which every attempt shares) and succeeds in the next. */
const SECOND_TIME_LUCKY = `#!/bin/sh
n=$(cat metadata/runs 2>/dev/null || echo 0)
n=$((n + 1))
echo $n > metadata/runs
echo "attempt $n"
[ "$n" -ge 2 ] && exit 0
sleep 300
`;

describe("stopping Slurm jobs", () => {
  it("a cancel of a running task signals its job (TERM to all its processes): the task is cancelled and the job over", async () => {
    const server = await startSlurmServer();
    await registerScript(server, "sleeper", "sleeper.sh", SLEEPER);
    const { task_id } = await submitOk(server, "sleeper", { args: {} });
    const jobId = await slurmJobOf(server, task_id);
    await waitJobRunning(jobId);
    const log = join(server.baseDir, "tasks", task_id, "log.txt");
    await waitUntil(async () => (await readFile(log, "utf8")).includes("started"));
    const started = Date.now();
    const response = await server.request(`/api/task/${task_id}`, { method: "DELETE" });
    expect(response.status).toBe(200);
    const task = await waitFinished(server, task_id);
    expect(task).toMatchObject({ status: "cancelled", error: "cancelled on request", signal: "SIGTERM", slurm_job_id: jobId });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(["FAILED", "CANCELLED", "COMPLETED"]).toContain(await jobState(jobId));
    expect(await readFile(log, "utf8")).not.toContain("not reached");
  });

  it("a cancel of a task whose job still waits in Slurm's queue removes the job: its script never ran", async () => {
    const server = await startSlurmServer();
    await registerScript(server, "sleeper", "sleeper.sh", SLEEPER);
    const { task_id } = await submitOk(server, "sleeper", { args: {}, fields: { slurm_options: JSON.stringify(["--begin=now+1hour"]) } });
    const jobId = await slurmJobOf(server, task_id);
    await waitUntil(async () => (await jobInfo(jobId)).Reason === "BeginTime", 10_000);
    expect((await server.request(`/api/task/${task_id}`, { method: "DELETE" })).status).toBe(200);
    const task = await waitFinished(server, task_id);
    expect(task).toMatchObject({ status: "cancelled", error: "cancelled on request", exit_code: null, signal: null });
    expect(await jobState(jobId)).toBe("CANCELLED");
    expect(await readFile(join(server.baseDir, "tasks", task_id, "log.txt"), "utf8")).toBe("");
  });

  it("a task past its --timeout is stopped by CubQueue on time, and its job had that limit in Slurm too (whole minutes)", async () => {
    const server = await startSlurmServer();
    await registerScript(server, "sleeper", "sleeper.sh", SLEEPER);
    const { task_id } = await submitOk(server, "sleeper", { args: {}, fields: { timeout_s: "2" } });
    const jobId = await slurmJobOf(server, task_id);
    await waitJobRunning(jobId);
    const task = await waitFinished(server, task_id, 20_000);
    expect(task).toMatchObject({ status: "failed", error: "timed out after 2s", signal: "SIGTERM" });
    // Counted from when the job began to run, not from its submission.
    expect(Date.parse(task.finished_at) - Date.parse(task.started_at)).toBeGreaterThanOrEqual(2_000);
    expect(Date.parse(task.finished_at) - Date.parse(task.started_at)).toBeLessThan(10_000);
    expect(await jobInfo(jobId)).toMatchObject({ TimeLimit: "00:01:00" });
  });

  it("a job cancelled from outside CubQueue (scancel) is recorded with Slurm's reason, and retried while the task has retries", async () => {
    const server = await startSlurmServer();
    await registerScript(server, "lucky", "lucky.sh", SECOND_TIME_LUCKY);
    const { task_id } = await submitOk(server, "lucky", { args: {}, fields: { max_retries: "1" } });
    const jobId = await slurmJobOf(server, task_id);
    const dir = join(server.baseDir, "tasks", task_id);
    await waitUntil(async () => (await readFile(join(dir, "log.txt"), "utf8")).includes("attempt 1"), 20_000);
    await slurm("scancel", [jobId]);
    const task = await waitFinished(server, task_id, 30_000);
    expect(task).toMatchObject({ status: "succeeded", attempts: 2 });
    const [first, second] = task.attempt_history;
    expect(first).toMatchObject({ slurm_job_id: jobId, error: `Slurm ended job ${jobId}: it was cancelled outside CubQueue (scancel) (CANCELLED)`, log: "log.1.txt" });
    expect(second).toMatchObject({ error: null, exit_code: 0, log: "log.txt" });
    expect(second.slurm_job_id).not.toBe(jobId);
    expect(await readFile(join(dir, "log.1.txt"), "utf8")).toMatch(/attempt 1\n[^]*CANCELLED/);
    expect(await readFile(join(dir, "log.txt"), "utf8")).toBe("attempt 2\n");
  });
});
