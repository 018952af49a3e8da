import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isProcessAlive } from "../../src/server/instance.ts";
import { registerScript, submitOk, waitFinished, waitRunning, waitUntil, type Requester } from "../support/api.ts";
import { daemonBaseDir, startDaemon, type DaemonServer } from "../support/daemon-server.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const getTask = async (server: Requester, id: string) => (await server.request(`/api/task/${id}`)).json();

async function crash(server: DaemonServer): Promise<void> {
  process.kill(server.pid, "SIGKILL");
  await waitUntil(() => !isProcessAlive(server.pid));
}

describe("steering across a server crash", { timeout: 90_000 }, () => {
  it("a paused queue stays paused after SIGKILL and a restart, and the log says how many tasks wait", async () => {
    const baseDir = await daemonBaseDir();
    let server = await startDaemon(baseDir);
    await registerScript(server, "ok", "ok.sh", "#!/bin/sh\necho ok\n");
    await server.request("/api/queue/pause", { method: "POST" });
    const ids = [];
    for (let n = 0; n < 3; n++) ids.push((await submitOk(server, "ok", { args: {} })).task_id);
    await crash(server);

    server = await startDaemon(baseDir);
    await sleep(500);
    expect(await (await server.request("/api/queue")).json()).toMatchObject({ paused: true, counts: { queued: 3 } });
    expect(await readFile(join(baseDir, "cubqueue.log"), "utf8")).toContain("The queue is paused: 3 queued tasks wait for `cubqueue resume`.");
    await server.request("/api/queue/resume", { method: "POST" });
    for (const id of ids) expect(await waitFinished(server, id)).toMatchObject({ status: "succeeded" });
  });

  it("a start after a crash with queued tasks says in its log how many it resumed", async () => {
    const baseDir = await daemonBaseDir();
    let server = await startDaemon(baseDir, ["--concurrency", "1"]);
    const gate = join(baseDir, "go");
    await registerScript(server, "gated", "gated.sh", `#!/bin/sh
while [ ! -e '${gate}' ]; do sleep 0.05; done
`);
    const blocker = (await submitOk(server, "gated", { args: {} })).task_id;
    await waitRunning(server, blocker);
    const queued = [(await submitOk(server, "gated", { args: {} })).task_id, (await submitOk(server, "gated", { args: {} })).task_id];
    await crash(server);
    server = await startDaemon(baseDir, ["--concurrency", "1"]);
    await waitUntil(async () => (await readFile(join(baseDir, "cubqueue.log"), "utf8")).includes("Resumed 2 queued tasks."));
    await writeFile(gate, "");
    for (const id of [blocker, ...queued]) expect(await waitFinished(server, id)).toMatchObject({ status: "succeeded" });
  });

  it("a GPU task re-adopted after SIGKILL keeps its GPU, and no new task is given it", async () => {
    const baseDir = await daemonBaseDir();
    // GPUs as `nvidia-smi -L` lists them: the server finds them on the PATH its tasks get.
    const bin = join(baseDir, "fake-bin");
    await mkdir(bin);
    await writeFile(join(bin, "nvidia-smi"), '#!/bin/sh\necho "GPU 0: Fake GPU (UUID: GPU-aaaa)"\necho "GPU 1: Fake GPU (UUID: GPU-bbbb)"\n');
    await chmod(join(bin, "nvidia-smi"), 0o755);
    const env = { PATH: `${bin}:${process.env.PATH}` };
    let server = await startDaemon(baseDir, ["--concurrency", "4"], env);
    expect((await (await server.request("/api/queue")).json()).gpus).toEqual({ total: ["0", "1"], free: ["0", "1"] });
    const gate = join(baseDir, "go");
    await registerScript(server, "gpu", "gpu.sh", `#!/bin/sh\necho "$CUDA_VISIBLE_DEVICES" > "$CUBQUEUE_OUTPUT_DIR/gpus"\nwhile [ ! -e '${gate}' ]; do sleep 0.05; done\n`);
    const first = (await submitOk(server, "gpu", { args: {}, fields: { gpus: "1" } })).task_id;
    const { pid } = await waitRunning(server, first);
    const held = (await getTask(server, first)).attempt_history[0].gpu_ids;
    expect(held).toHaveLength(1);
    await crash(server);

    server = await startDaemon(baseDir, ["--concurrency", "4"], env);
    expect(isProcessAlive(pid)).toBe(true);
    const second = (await submitOk(server, "gpu", { args: {}, fields: { gpus: "1" } })).task_id;
    await waitRunning(server, second);
    const third = (await submitOk(server, "gpu", { args: {}, fields: { gpus: "1" } })).task_id;
    await sleep(500);
    // Both GPUs are held: the first task's (found again) and the second's; the third waits.
    expect(await getTask(server, third)).toMatchObject({ status: "queued" });
    const secondGpus = (await getTask(server, second)).attempt_history[0].gpu_ids;
    expect(secondGpus).toHaveLength(1);
    expect(secondGpus[0]).not.toBe(held[0]);
    await writeFile(gate, "");
    for (const id of [first, second, third]) expect(await waitFinished(server, id)).toMatchObject({ status: "succeeded" });
    expect(await readFile(join(baseDir, "tasks", first, "output", "gpus"), "utf8")).toBe(`${held[0]}\n`);
  });

  it("a suspended task stays suspended across SIGKILL and a restart, and can be resumed after it", async () => {
    const baseDir = await daemonBaseDir();
    let server = await startDaemon(baseDir);
    const gate = join(baseDir, "go");
    await registerScript(server, "ticker", "ticker.sh", `#!/bin/sh\nwhile [ ! -e '${gate}' ]; do echo tick; sleep 0.05; done\n`);
    const id = (await submitOk(server, "ticker", { args: {} })).task_id;
    const { pid } = await waitRunning(server, id);
    expect(await (await server.request(`/api/task/${id}/suspend`, { method: "POST" })).json()).toMatchObject({ status: "suspended" });
    await crash(server);

    server = await startDaemon(baseDir);
    await sleep(500);
    expect(await getTask(server, id)).toMatchObject({ status: "suspended" });
    expect(await processState(pid)).toBe("T");
    expect(await (await server.request(`/api/task/${id}/resume`, { method: "POST" })).json()).toMatchObject({ status: "running" });
    await waitUntil(async () => (await processState(pid)) !== "T");
    await writeFile(gate, "");
    expect(await waitFinished(server, id)).toMatchObject({ status: "succeeded" });
  });
});

async function processState(pid: number): Promise<string> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0]!;
}
