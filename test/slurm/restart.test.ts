import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { registerScript, submitOk, waitFinished, waitUntil, type Requester } from "../support/api.ts";
import { makeTempDir } from "../support/temp-dir.ts";
import { jobInfo, jobState, jobsOfTask, slurmJobOf, startSlurmServerOn, stopLeavingTasks, waitJobRunning } from "./support.ts";

/** Runs until the test puts metadata/go in its folder. */
const WAITER = '#!/bin/sh\necho "started"\nwhile [ ! -e metadata/go ]; do sleep 0.1; done\necho "done"\n';

const requester = (url: string): Requester => ({ request: (path, init) => fetch(`${url}${path}`, init) });
const task = async (server: Requester, id: string) => (await server.request(`/api/task/${id}`)).json();

describe("a server restarted while its Slurm jobs run", () => {
  it("finds them by their recorded job ids: running, pending, or ended meanwhile; nothing is submitted twice", { timeout: 90_000 }, async () => {
    const dir = await makeTempDir();
    onTestFinished(dir.remove);
    const baseDir = dir.path;
    const go = (taskId: string) => writeFile(join(baseDir, "tasks", taskId, "metadata", "go"), "");

    // At most 3 jobs in Slurm at once: the fourth task waits in CubQueue's queue.
    const first = await startSlurmServerOn(baseDir, { concurrency: 3 });
    onTestFinished(() => first.stop());
    const a = requester(first.url);
    await registerScript(a, "waiter", "waiter.sh", WAITER);
    const endsWhileDown = (await submitOk(a, "waiter", { args: {} })).task_id;
    const endsWhileDownJob = await slurmJobOf(a, endsWhileDown);
    // Pending in Slurm until the first one's job has ended.
    const pending = (await submitOk(a, "waiter", { args: {}, fields: { slurm_options: JSON.stringify([`--dependency=afterany:${endsWhileDownJob}`]) } })).task_id;
    const cancelledAfter = (await submitOk(a, "waiter", { args: {} })).task_id;
    const queued = (await submitOk(a, "waiter", { args: {} })).task_id;
    const pendingJob = await slurmJobOf(a, pending);
    const cancelledAfterJob = await slurmJobOf(a, cancelledAfter);
    await waitJobRunning(endsWhileDownJob);
    await waitJobRunning(cancelledAfterJob);
    await waitUntil(async () => (await jobInfo(pendingJob)).Reason === "Dependency", 10_000);
    expect(await task(a, queued)).toMatchObject({ status: "queued", slurm_job_id: null });

    await stopLeavingTasks(baseDir, first);
    // The jobs go on without a server; one ends meanwhile and its wrapper records it.
    expect(await jobState(cancelledAfterJob)).toBe("RUNNING");
    await go(endsWhileDown);
    await waitUntil(async () => (await jobState(endsWhileDownJob)) === "COMPLETED", 20_000);
    expect(await readFile(join(baseDir, "tasks", endsWhileDown, "cubqueue.exit"), "utf8")).toMatch(/^exit 0 +\n$/);

    const second = await startSlurmServerOn(baseDir, { concurrency: 3 });
    onTestFinished(() => second.stop());
    const b = requester(second.url);
    expect(await waitFinished(b, endsWhileDown)).toMatchObject({ status: "succeeded", exit_code: 0, attempts: 1, slurm_job_id: endsWhileDownJob });
    // The pending one ran once its dependency was met, watched by the new server.
    await waitJobRunning(pendingJob);
    await go(pending);
    expect(await waitFinished(b, pending)).toMatchObject({ status: "succeeded", attempts: 1, slurm_job_id: pendingJob });
    // The running one can be cancelled by the new server.
    expect((await b.request(`/api/task/${cancelledAfter}`, { method: "DELETE" })).status).toBe(200);
    expect(await waitFinished(b, cancelledAfter)).toMatchObject({ status: "cancelled", attempts: 1, slurm_job_id: cancelledAfterJob });
    // The queued one got its turn.
    await waitUntil(async () => (await task(b, queued)).slurm_job_id !== null, 20_000);
    await go(queued);
    expect(await waitFinished(b, queued)).toMatchObject({ status: "succeeded", attempts: 1 });

    for (const id of [endsWhileDown, pending, cancelledAfter, queued]) {
      expect(await jobsOfTask(id), id).toHaveLength(1);
    }
    expect(second.stderrLines.filter((line) => /error/i.test(line))).toEqual([]);
  });
});
