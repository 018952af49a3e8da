import { readdir, readlink } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { registerScript, submitOk, waitFinished, waitRunning, waitUntil, type Requester } from "../support/api.ts";
import { SERVER_MODE } from "../support/runtime.ts";
import { startTestServer } from "../support/test-server.ts";

/** The whole of a streamed answer, as text. */
async function readAll(response: Response): Promise<string> {
  expect(response.status, response.status === 200 ? "" : await response.clone().text()).toBe(200);
  return response.text();
}

const follow = (server: Requester, taskId: string, lines = 10, signal?: AbortSignal) => server.request(`/api/task/${taskId}/log/follow?lines=${lines}`, { signal });

/** Lines first…last, one per line, as `seq` prints them. */
const numbers = (first: number, last: number) => Array.from({ length: last - first + 1 }, (_, index) => `${first + index}\n`).join("");

async function openDescriptors(pid: number): Promise<number | undefined> {
  return (await readdir(`/proc/${pid}/fd`).catch(() => undefined))?.length;
}

/** What a process holds open, by kind ("socket", "anon_inode:inotify", a file's path), for a failure's message. */
async function descriptorKinds(pid: number): Promise<Record<string, number>> {
  const kinds: Record<string, number> = {};
  for (const fd of await readdir(`/proc/${pid}/fd`).catch(() => [])) {
    const target = (await readlink(`/proc/${pid}/fd/${fd}`).catch(() => "gone")).replace(/:\[\d+\]$/, "");
    kinds[target] = (kinds[target] ?? 0) + 1;
  }
  return kinds;
}

describe(`following a task's log (${SERVER_MODE} server)`, () => {
  it("a follower of a task that writes 100,000 lines, attached before it starts, gets every line exactly once, in order", async () => {
    const server = await startTestServer();
    // In bursts, so that the follower reads while the task writes rather than after.
    await registerScript(server, "count", "count.sh", 'for i in $(seq 0 99); do seq $((i * 1000 + 1)) $((i * 1000 + 1000)); sleep 0.01; done\n');
    const { task_id: taskId } = await submitOk(server, "count", { args: {}, fields: { hold: "true" } });
    // Asking for the last 100,000 lines too: were the follower to arrive late, it would still owe every line.
    const following = follow(server, taskId, 100_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await server.request(`/api/task/${taskId}/release`, { method: "POST" })).status).toBe(200);
    const text = await readAll(await following);
    const expected = numbers(1, 100_000);
    const differsAt = [...expected].findIndex((char, index) => text[index] !== char);
    expect(differsAt, `differs from byte ${differsAt}: ${JSON.stringify(text.slice(differsAt, differsAt + 40))}`).toBe(-1);
    expect(text.length).toBe(expected.length);
    // It ended because the task did.
    expect((await (await server.request(`/api/task/${taskId}`)).json()).status).toBe("succeeded");
    expect(server.loggedErrors).toEqual([]);
  });

  it("starts with the last lines asked for, and follows a retry's log after a line naming the attempt", async () => {
    const server = await startTestServer();
    const script = [
      "seq 1 20",
      'if [ -e "$CUBQUEUE_TASK_DIR/tried" ]; then echo second; exit 0; fi',
      'touch "$CUBQUEUE_TASK_DIR/tried"',
      "sleep 1",
      "echo first",
      "exit 1",
      "",
    ].join("\n");
    await registerScript(server, "twice", "twice.sh", script);
    const { task_id: taskId } = await submitOk(server, "twice", { args: {}, fields: { max_retries: "1", retry_delay_s: "0" } });
    await waitRunning(server, taskId);
    await waitUntil(async () => (await (await server.request(`/api/task/${taskId}/log?lines=1`)).json()).content === "20\n");
    const text = await readAll(await follow(server, taskId, 3));
    expect(text).toBe(`18\n19\n20\nfirst\n[cubqueue] attempt 2 of task ${taskId}\n${numbers(1, 20)}second\n`);

    // The raw log is the whole of one attempt's.
    expect(await readAll(await server.request(`/api/task/${taskId}/log/raw`))).toBe(`${numbers(1, 20)}second\n`);
    expect(await readAll(await server.request(`/api/task/${taskId}/log/raw?attempt=1`))).toBe(`${numbers(1, 20)}first\n`);
  });

  it("of a finished task, gives its last lines and ends; of an unknown task, 404; a bad lines value, 400", async () => {
    const server = await startTestServer();
    await registerScript(server, "five", "five.sh", "seq 1 5\n");
    const { task_id: taskId } = await submitOk(server, "five", { args: {} });
    await waitFinished(server, taskId);
    expect(await readAll(await follow(server, taskId, 2))).toBe("4\n5\n");
    const unknown = await follow(server, "00000000-0000-4000-8000-000000000000");
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.code).toBe("task_not_found");
    const raw = await server.request("/api/task/00000000-0000-4000-8000-000000000000/log/raw");
    expect(raw.status).toBe(404);
    const bad = await follow(server, taskId, -1);
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBeTruthy();
  });

  it("followers and event streams that hang up let go of everything they held (files, watches, sockets)", async (context) => {
    const server = await startTestServer();
    const procFs = await openDescriptors(server.pid);
    context.skip(procFs === undefined, "needs /proc to count a process's open files");
    await registerScript(server, "idle", "idle.sh", "echo started\nsleep 60\n");
    const { task_id: taskId } = await submitOk(server, "idle", { args: {} });
    await waitRunning(server, taskId);
    const baseline = (await openDescriptors(server.pid))!;

    const hangUp = new AbortController();
    const streams = await Promise.all([
      ...Array.from({ length: 20 }, () => follow(server, taskId, 1, hangUp.signal)),
      ...Array.from({ length: 20 }, () => server.request("/api/events", { signal: hangUp.signal })),
    ]);
    // Each follower has read the first line: it holds the log open and watches the folder.
    await Promise.all(streams.slice(0, 20).map(async (response) => expect(new TextDecoder().decode((await response.body!.getReader().read()).value)).toBe("started\n")));
    const attached = (await openDescriptors(server.pid))!;
    expect(attached).toBeGreaterThanOrEqual(baseline + 20);

    const before = await descriptorKinds(server.pid);
    hangUp.abort();
    // A few descriptors come and go with the server's own work; 40 streams' worth must not stay.
    await waitUntil(async () => (await openDescriptors(server.pid))! <= baseline + 2, 10_000).catch(async () => {
      throw new Error(`still held after hanging up: ${JSON.stringify(await descriptorKinds(server.pid))}; while attached: ${JSON.stringify(before)}`);
    });
    console.log(`${SERVER_MODE} server: ${baseline} descriptors, ${attached} with 20 followers and 20 event streams, back to ≤${baseline + 2} after they hung up`);
    expect((await (await server.request(`/api/task/${taskId}`)).json()).status).toBe("running");
  });
});
