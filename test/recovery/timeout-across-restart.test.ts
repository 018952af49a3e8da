import { describe, expect, it } from "vitest";
import { isProcessAlive } from "../../src/server/instance.ts";
import { registerScript, submitOk, waitFinished, waitRunning, waitUntil } from "../support/api.ts";
import { daemonBaseDir, startDaemon } from "../support/daemon-server.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("a time limit across a server crash", { timeout: 60_000 }, () => {
  it("a task re-adopted after the server was killed keeps its original deadline", async () => {
    const baseDir = await daemonBaseDir();
    let server = await startDaemon(baseDir);
    await registerScript(server, "slow", "slow.sh", "#!/bin/sh\nsleep 60\n");
    const { task_id } = await submitOk(server, "slow", { args: {}, fields: { timeout_s: "8" } });
    const running = await waitRunning(server, task_id);
    process.kill(server.pid, "SIGKILL");
    await waitUntil(() => !isProcessAlive(server.pid));
    // No server for 4 s: had the restart reset the clock, the task would end 8 s after it, 12 s in or later.
    // Kept, it ends at 8 s, or as soon as the new server is up if that takes longer (a loaded machine).
    await sleep(4_000);
    expect(isProcessAlive(running.pid)).toBe(true);
    server = await startDaemon(baseDir);
    const task = await waitFinished(server, task_id, 20_000);
    expect(task).toMatchObject({ status: "failed", error: "timed out after 8s", attempts: 1 });
    const took = (Date.parse(task.finished_at) - Date.parse(task.started_at)) / 1000;
    expect(took).toBeGreaterThanOrEqual(7.9);
    expect(took).toBeLessThan(11);
    await waitUntil(() => !isProcessAlive(running.pid));
  });
});
