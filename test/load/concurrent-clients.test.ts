import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { registerScript } from "../support/api.ts";
import { daemonBaseDir, readTaskLog, startDaemon, type DaemonServer } from "../support/daemon-server.ts";

const CLIENTS = 200;
const TASKS_PER_CLIENT = 3;

interface Tally {
  requests: number;
  latencies: number[];
  byStatus: Map<number, number>;
  problems: string[];
}

/** One request, counted; a 5xx or a database-busy message is a problem whatever the status. */
async function call(server: DaemonServer, tally: Tally, path: string, init?: RequestInit): Promise<Response> {
  const started = performance.now();
  const response = await server.request(path, init);
  const text = await response.clone().text();
  tally.latencies.push(performance.now() - started);
  tally.requests++;
  tally.byStatus.set(response.status, (tally.byStatus.get(response.status) ?? 0) + 1);
  if (response.status >= 500 || /SQLITE_BUSY|database is locked/i.test(text)) {
    tally.problems.push(`${init?.method ?? "GET"} ${path}: ${response.status} ${text.slice(0, 200)}`);
  }
  return response;
}

/** A client as a pipeline would be: submit, then poll the status and tail the log until the task ends; again. */
async function client(server: DaemonServer, tally: Tally, index: number): Promise<string[]> {
  const ids: string[] = [];
  for (let round = 0; round < TASKS_PER_CLIENT; round++) {
    const form = new FormData();
    form.set("script_name", "hello");
    form.set("arg_file", new Blob([JSON.stringify({ client: index, round })]), "args.json");
    const submitted = await call(server, tally, "/api/task", { method: "POST", body: form });
    expect(submitted.status).toBe(201);
    const { task_id } = await submitted.json();
    ids.push(task_id);
    // Backing off as the SDK's waitForTask does.
    for (let pause = 100; ; pause = Math.min(pause * 1.5, 1_000)) {
      const task = await (await call(server, tally, `/api/task/${task_id}`)).json();
      await (await call(server, tally, `/api/task/${task_id}/log?lines=5`)).text();
      if (["succeeded", "failed", "cancelled"].includes(task.status)) break;
      await new Promise((resolve) => setTimeout(resolve, pause * (0.5 + Math.random())));
    }
  }
  return ids;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

describe("load", () => {
  it(`${CLIENTS} concurrent clients submitting, polling and tailing logs: no 5xx, no busy database, every task accounted for`, { timeout: 240_000 }, async () => {
    const baseDir = await daemonBaseDir();
    const server = await startDaemon(baseDir, ["--concurrency", "2"]);
    await registerScript(server, "hello", "hello.sh", '#!/bin/sh\necho "hello from $CUBQUEUE_TASK_ID"\n');
    const tally: Tally = { requests: 0, latencies: [], byStatus: new Map(), problems: [] };

    const started = performance.now();
    const ids = (await Promise.all(Array.from({ length: CLIENTS }, (_, index) => client(server, tally, index)))).flat();
    const seconds = (performance.now() - started) / 1000;

    expect(tally.problems).toEqual([]);
    expect([...tally.byStatus.keys()].sort()).toEqual([200, 201]);
    expect(new Set(ids).size).toBe(CLIENTS * TASKS_PER_CLIENT);
    const listed = [];
    for (let cursor: string | null = null; ; ) {
      const page: { tasks: Array<{ task_id: string; status: string }>; next_cursor: string | null } = await (
        await server.request(`/api/task?limit=1000${cursor ? `&cursor=${cursor}` : ""}`)
      ).json();
      listed.push(...page.tasks);
      if (!(cursor = page.next_cursor)) break;
    }
    expect(listed.map((task) => task.task_id).sort()).toEqual([...ids].sort());
    expect(listed.every((task) => task.status === "succeeded")).toBe(true);
    for (const id of ids) expect(await readTaskLog(baseDir, id)).toBe(`hello from ${id}\n`);

    const sorted = [...tally.latencies].sort((a, b) => a - b);
    const rss = /VmHWM:\s+(\d+) kB/.exec(await readFile(`/proc/${server.pid}/status`, "utf8"))?.[1];
    console.log(
      `${CLIENTS} clients, ${ids.length} tasks, ${tally.requests} requests in ${seconds.toFixed(1)} s ` +
        `(${Math.round(tally.requests / seconds)}/s); latency p50 ${percentile(sorted, 50).toFixed(1)} ms, ` +
        `p95 ${percentile(sorted, 95).toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms; server peak RSS ${Math.round(Number(rss) / 1024)} MiB`,
    );
  });
});
