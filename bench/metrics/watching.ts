import { spawn } from "node:child_process";
import { get as httpGet, type ClientRequest } from "node:http";
import { join } from "node:path";
import { registerScript, submitTask } from "../support/api.ts";
import type { Metric } from "../support/context.ts";
import { writeScript } from "../support/files.ts";
import { readCpuSeconds, readMemory } from "../support/proc.ts";
import { ratioOf, type Row } from "../support/rows.ts";
import { percentile, sleep } from "../support/timing.ts";

/** Prints the time (ms since the epoch) `count` times, `gap` seconds apart: each line says when it was written. */
const ticker = (count: number, gap: number) => `#!/bin/sh\ni=0\nwhile [ $i -lt ${count} ]; do date +%s%3N; sleep ${gap}; i=$((i + 1)); done\n`;

interface Follower {
  /** Resolves with the bytes received once the server ends the answer (the task finished). */
  ended: Promise<number>;
  stop(): void;
}

/** GET …/log/follow over node:http (the last `lines` lines first), calling onLine for each whole line as it arrives. */
function follow(url: string, taskId: string, lines: number, onLine?: (line: string, receivedAt: number) => void): Follower {
  let request: ClientRequest | undefined;
  const ended = new Promise<number>((resolve, reject) => {
    request = httpGet(`${url}/api/task/${taskId}/log/follow?lines=${lines}`, (incoming) => {
      if (incoming.statusCode !== 200) return reject(new Error(`follow: HTTP ${incoming.statusCode}`));
      let bytes = 0;
      let pending = "";
      incoming.on("data", (chunk: Buffer) => {
        const at = Date.now();
        bytes += chunk.length;
        if (!onLine) return;
        const lines = (pending + chunk.toString("utf8")).split("\n");
        pending = lines.pop()!;
        for (const line of lines) onLine(line, at);
      });
      incoming.on("end", () => resolve(bytes));
      incoming.on("error", reject);
    });
    request.on("error", reject);
  });
  return {
    ended,
    stop() {
      // Hanging up is this side's doing: the error it makes of the answer is expected.
      ended.catch(() => undefined);
      request?.destroy();
    },
  };
}

/** Server CPU seconds and RSS over a window of `seconds`. */
async function measureWindow(pid: number, seconds: number): Promise<{ cpu: number; rssMb: number }> {
  const before = readCpuSeconds(pid);
  await sleep(seconds * 1000);
  return { cpu: Math.round((readCpuSeconds(pid) - before) * 100) / 100, rssMb: Math.round(readMemory(pid).rss / 1e5) / 10 };
}

/**
 * Watching work: how long a line takes from the script to a follower of its log,
 * against the same script's output read straight from a pipe (the machine's own
 * floor); what many followers of a busy task cost the server, against the same
 * task with none; and what followers of tasks that write nothing cost (≈ 0: they
 * wait for notices of writes, with one safety check every 5 s).
 */
export const watching: Metric = {
  name: "watching: log follow",
  timeLimitMs: { full: 120_000, quick: 40_000 },
  async run(context) {
    const { followSamples: samples, followers: many, followSeconds: seconds } = context.sizes;
    const server = await context.startServer({ concurrency: 4 });
    const gap = 0.05;
    const scripts = {
      ticker: ticker(samples, gap),
      busy: ticker(Math.ceil((seconds + 3) / 0.1), 0.1),
      quiet: `#!/bin/sh\nsleep ${seconds + 30}\n`,
    };
    for (const [name, text] of Object.entries(scripts)) {
      const path = join(context.dir, `${name}.sh`);
      await writeScript(path, text);
      await registerScript(server.url, name, path);
    }

    context.log(`follow latency: ${samples} lines, ${gap * 1000} ms apart`);
    const followed: number[] = [];
    const { task_id: tickerId } = await submitTask(server.url, "ticker");
    await follow(server.url, tickerId, 0, (line, at) => line && followed.push(at - Number(line))).ended;
    const piped: number[] = [];
    await new Promise<void>((resolve, reject) => {
      const child = spawn("/bin/sh", ["-c", scripts.ticker], { stdio: ["ignore", "pipe", "inherit"] });
      let pending = "";
      child.stdout.on("data", (chunk: Buffer) => {
        const at = Date.now();
        const lines = (pending + chunk.toString("utf8")).split("\n");
        pending = lines.pop()!;
        for (const line of lines) if (line) piped.push(at - Number(line));
      });
      child.once("error", reject);
      child.once("close", () => resolve());
    });

    context.log(`${many} followers of a task writing 10 lines/s, against none, over ${seconds} s`);
    await submitTask(server.url, "busy");
    await sleep(1000);
    const unwatched = await measureWindow(server.pid, seconds);
    const { task_id: watched } = await submitTask(server.url, "busy");
    // From its first line, each: then every one must have received the same bytes.
    const followers = Array.from({ length: many }, () => follow(server.url, watched, 100_000));
    await sleep(1000);
    const busy = await measureWindow(server.pid, seconds);
    const received = await Promise.all(followers.map((each) => each.ended));
    const complete = received.every((bytes) => bytes === received[0]) && received[0]! > 0;

    context.log(`${many} followers of tasks that write nothing, over ${seconds} s`);
    const quiet = [await submitTask(server.url, "quiet"), await submitTask(server.url, "quiet")];
    const idleFollowers = quiet.flatMap(({ task_id }) => Array.from({ length: many / 2 }, () => follow(server.url, task_id, 10)));
    await sleep(2000);
    const idle = await measureWindow(server.pid, seconds);
    for (const each of idleFollowers) each.stop();

    const latencyRow = (p: number): Row => {
      const value = percentile(followed, p);
      const referenceValue = percentile(piped, p);
      return {
        metric: `log follow latency p${p} (line written → follower has it)`,
        value,
        unit: "ms",
        reference: "the same script's stdout read from a pipe",
        referenceValue,
        ratio: ratioOf(Math.max(value, 0.5), Math.max(referenceValue, 0.5), "lower-is-better"),
        target: p === 50 ? "p50 ≤ 50 ms" : "—",
        met: p === 50 ? value <= 50 : null,
        notes: `${followed.length} lines over HTTP from the task's log, ${piped.length} over the pipe; times from \`date +%s%3N\` in the script`,
      };
    };
    return [
      latencyRow(50),
      latencyRow(95),
      {
        metric: `${many} followers of a task writing 10 lines/s: server CPU over ${seconds} s`,
        value: busy.cpu,
        unit: "CPU s",
        reference: "the same task, no followers",
        referenceValue: unwatched.cpu,
        ratio: null,
        target: "—",
        met: null,
        notes: `each follower got every byte: ${complete ? "yes" : "NO"} (${received[0]} bytes each); RSS ${busy.rssMb} MB with them, ${unwatched.rssMb} MB without`,
      },
      {
        metric: `${many} followers of tasks that write nothing: server CPU over ${seconds} s`,
        value: idle.cpu,
        unit: "CPU s",
        reference: "— (absolute)",
        referenceValue: null,
        ratio: null,
        target: `≈ 0 (≤ ${(0.01 * seconds).toFixed(2)} s)`,
        met: idle.cpu <= 0.01 * seconds,
        notes: `followers wait for notices of writes in the task folder, and look once every 5 s regardless; RSS ${idle.rssMb} MB`,
      },
    ];
  },
};
