import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { isProcessAlive } from "../../src/server/instance.ts";
import { registerScript, submitOk, waitFinished, waitRunning, waitUntil } from "../support/api.ts";
import { runCubqueue } from "../support/cli.ts";
import { daemonBaseDir, startDaemon } from "../support/daemon-server.ts";
import { makeTempDir } from "../support/temp-dir.ts";

describe("two servers sharing one database (CUBQUEUE_DATABASE_URL)", { timeout: 60_000 }, () => {
  it("a start of one never takes, or judges lost, a task the other started; its own server takes it back", async () => {
    const shared = await makeTempDir();
    onTestFinished(() => shared.remove());
    const env = { CUBQUEUE_DATABASE_URL: `file:${join(shared.path, "shared.db")}` };
    const gate = join(shared.path, "go-on");
    const [baseA, baseB] = [await daemonBaseDir(), await daemonBaseDir()];

    let a = await startDaemon(baseA, [], env);
    await registerScript(a, "gated", "gated.sh", `#!/bin/sh\nwhile [ ! -e '${gate}' ]; do sleep 0.05; done\necho ended here\n`);
    const { task_id: id } = await submitOk(a, "gated", { args: {} });
    const { pid } = await waitRunning(a, id);
    // A leaves the task running while it is away.
    expect(await runCubqueue(["stop", "--base-dir", baseA])).toMatchObject({ code: 0 });

    // B starts on the same database while A's task runs, and watches it end.
    const b = await startDaemon(baseB, [], env);
    await writeFile(gate, "");
    await waitUntil(() => !isProcessAlive(pid), 10_000);
    // Long enough for a watcher (which polls a process it did not start every 0.5 s) to have seen it end.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await (await b.request(`/api/task/${id}`)).json()).toMatchObject({ status: "running", attempts: 1 });

    // A comes back: the task is its own, and its outcome is the one its script left.
    a = await startDaemon(baseA, [], env);
    expect(await waitFinished(a, id)).toMatchObject({ status: "succeeded", exit_code: 0, attempts: 1 });
    expect(await (await b.request(`/api/task/${id}`)).json()).toMatchObject({ status: "succeeded" });
  });
});
