import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { isProcessAlive } from "../../src/server/instance.ts";
import { expectError, registerScript, submit, submitOk, waitFinished, waitRunning, waitUntil } from "../support/api.ts";
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

  it("each server runs only the tasks submitted to it, and refuses to serve the files of the other's", async () => {
    const shared = await makeTempDir();
    onTestFinished(() => shared.remove());
    const env = { CUBQUEUE_DATABASE_URL: `file:${join(shared.path, "shared.db")}` };
    const gate = join(shared.path, "go-on");
    const a = await startDaemon(await daemonBaseDir(), ["--concurrency", "1"], env);
    const b = await startDaemon(await daemonBaseDir(), ["--concurrency", "1"], env);
    await registerScript(a, "gated", "gated.sh", `#!/bin/sh\nwhile [ ! -e '${gate}' ]; do sleep 0.05; done\n`);
    await registerScript(a, "on_a", "on_a.sh", "#!/bin/sh\necho ran on a\n");
    await registerScript(b, "on_b", "on_b.sh", "#!/bin/sh\necho ran on b\n");
    const blocker = (await submitOk(a, "gated", { args: {} })).task_id;
    await waitRunning(a, blocker);
    // Queued on A behind its one slot: older than anything B gets next.
    const queuedOnA = (await submitOk(a, "on_a", { args: {} })).task_id;

    // B wakes for its own submission and takes that one, not A's older queued task.
    const onB = (await submitOk(b, "on_b", { args: {} })).task_id;
    expect(await waitFinished(b, onB)).toMatchObject({ status: "succeeded" });
    expect(await (await b.request(`/api/task/${queuedOnA}`)).json()).toMatchObject({ status: "queued", attempts: 0 });
    await expectError(await b.request(`/api/task/${blocker}/log`), 409, "task_on_other_server");
    await expectError(await b.request(`/api/task/${blocker}/result`), 409, "task_on_other_server");
    await expectError(await b.request(`/api/task/${blocker}`, { method: "DELETE" }), 409, "task_on_other_server");
    // A script registered on A has its file in A's base dir only.
    await expectError(await submit(b, "on_a", { args: {} }), 409, "script_file_missing");

    await writeFile(gate, "");
    expect(await waitFinished(a, queuedOnA)).toMatchObject({ status: "succeeded", attempts: 1 });
    expect(await (await a.request(`/api/task/${queuedOnA}/log`)).json()).toMatchObject({ content: "ran on a\n" });
  });
});
