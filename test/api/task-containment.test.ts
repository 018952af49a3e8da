import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { findContainment } from "../../src/runner/containment.ts";
import { isSameProcess, processStartToken } from "../../src/runner/process-identity.ts";
import { registerScript, submitOk, waitFinished, waitRunning, waitUntil } from "../support/api.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

/** Starts, and records the pid of, a process that leaves the task's process group (setsid), and one that does so from a double fork. */
const ESCAPE = `setsid sh -c 'echo $$ > escaped.pid; exec sleep 1000' &
sh -c 'setsid sh -c "echo \\$\\$ > double.pid; exec sleep 1000" & exit 0'
`;

interface Recorded {
  pid: number;
  startToken: string;
}

/** The pid a task's process wrote into its folder, once it is there, with its start time (so a recycled pid is not taken for it). */
async function recordedPid(server: TestServer, taskId: string, file: string): Promise<Recorded> {
  const path = join(server.baseDir, "tasks", taskId, file);
  await waitUntil(async () => /^\d+\n$/.test(await readFile(path, "utf8").catch(() => "")), 10_000);
  const pid = Number(await readFile(path, "utf8"));
  const startToken = await processStartToken(pid);
  expect(startToken, `process ${pid} from ${file}`).toBeDefined();
  // Whatever the test's outcome, nothing of it is left running.
  onTestFinished(() => {
    void isSameProcess(pid, startToken!).then((alive) => alive && process.kill(pid, "SIGKILL"));
  });
  return { pid, startToken: startToken! };
}

/** A process that no longer exists, or only as a zombie (it has ended; its parent has not reaped it). */
async function expectGone(...processes: Recorded[]) {
  for (const { pid, startToken } of processes) expect(await isSameProcess(pid, startToken), `process ${pid} is still alive`).toBe(false);
}

describe("what a task leaves running", { timeout: 60_000 }, () => {
  it("a cancel ends the processes that left the task's process group, setsid and double fork alike", async () => {
    const server = await startTestServer();
    await registerScript(server, "escape", "escape.sh", `#!/bin/sh\n${ESCAPE}sleep 1000\n`);
    const id = (await submitOk(server, "escape", { args: {} })).task_id;
    await waitRunning(server, id);
    const escaped = [await recordedPid(server, id, "escaped.pid"), await recordedPid(server, id, "double.pid")];

    const response = await server.request(`/api/task/${id}`, { method: "DELETE" });
    expect(response.status).toBe(200);
    expect((await response.json()).status).toBe("cancelled");
    await expectGone(...escaped);
  });

  it("a cancel of a script that ignores TERM (its wrapper is killed) still ends what left the group", async () => {
    const server = await startTestServer({ killGraceMs: 300 });
    await registerScript(server, "stubborn", "stubborn.sh", `#!/bin/sh\ntrap '' TERM\n${ESCAPE}sleep 1000\n`);
    const id = (await submitOk(server, "stubborn", { args: {} })).task_id;
    await waitRunning(server, id);
    const escaped = [await recordedPid(server, id, "escaped.pid"), await recordedPid(server, id, "double.pid")];

    const response = await server.request(`/api/task/${id}`, { method: "DELETE" });
    expect((await response.json()).status).toBe("cancelled");
    await expectGone(...escaped);
  });

  it("after a normal exit, the children left behind are ended and the log stops growing", async () => {
    const server = await startTestServer();
    const script = `#!/bin/sh
cat /proc/self/cgroup > cgroup.txt
( while :; do echo tick; sleep 0.02; done ) &
echo $! > child.pid
setsid sh -c 'echo $$ > escaped.pid; while :; do echo tock; sleep 0.02; done' &
while [ ! -e go-on ]; do sleep 0.02; done
echo done
`;
    await registerScript(server, "leaves_children", "leaves_children.sh", script);
    const id = (await submitOk(server, "leaves_children", { args: {} })).task_id;
    await waitRunning(server, id);
    const left = [await recordedPid(server, id, "child.pid"), await recordedPid(server, id, "escaped.pid")];
    // The script ends once the test has seen what it left.
    await writeFile(join(server.baseDir, "tasks", id, "go-on"), "");
    const task = await waitFinished(server, id);
    expect(task).toMatchObject({ status: "succeeded", exit_code: 0 });

    await expectGone(...left);
    const logFile = join(server.baseDir, "tasks", id, "log.txt");
    const size = (await stat(logFile)).size;
    const log = await readFile(logFile, "utf8");
    expect(log).toContain("tick");
    expect(log).toContain("tock");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await stat(logFile)).size).toBe(size);

    // Where this machine lets the server make cgroups, the script ran in its task's own, and it is gone.
    const cgroup = (await findContainment()).cgroupOf(id, 1);
    if (cgroup) {
      expect(await readFile(join(server.baseDir, "tasks", id, "cgroup.txt"), "utf8")).toContain(`/cubqueue/task-${id}-1\n`);
      expect(existsSync(cgroup)).toBe(false);
    }
  });

  it("each attempt runs in a cgroup of its own, gone once the attempt is over, also when nothing was left in it", async () => {
    const cgroupOf = (await findContainment()).cgroupOf;
    if (!cgroupOf(randomUUID(), 1)) return; // No cgroup can be made here: the environment is what contains a task.
    const server = await startTestServer();
    await registerScript(server, "flaky", "flaky.sh", "#!/bin/sh\ncat /proc/self/cgroup >> cgroup.txt\n[ -e failed-once ] && exit 0\ntouch failed-once\nexit 1\n");
    const id = (await submitOk(server, "flaky", { args: {}, fields: { max_retries: "1" } })).task_id;
    expect(await waitFinished(server, id)).toMatchObject({ status: "succeeded", attempts: 2 });
    const seen = await readFile(join(server.baseDir, "tasks", id, "cgroup.txt"), "utf8");
    expect(seen).toContain(`/cubqueue/task-${id}-1\n`);
    expect(seen).toContain(`/cubqueue/task-${id}-2\n`);
    expect(existsSync(cgroupOf(id, 1)!)).toBe(false);
    expect(existsSync(cgroupOf(id, 2)!)).toBe(false);
  });
});
