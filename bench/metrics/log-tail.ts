import { join } from "node:path";
import type { Metric } from "../support/context.ts";
import { MiB, writeLogFile } from "../support/files.ts";
import { ratioOf } from "../support/rows.ts";
import { finishedNoopTask, registerNoop } from "../support/scripts.ts";
import { CLI_ENTRY } from "../support/server.ts";
import { runOk } from "../support/shell.ts";
import { median, timed } from "../support/timing.ts";

const CLI_SAMPLES = 5;

/** The last 100 lines of a large log: over HTTP and through the CLI, against `tail -n 100` of the same file. */
export const logTail: Metric = {
  name: "log --lines 100",
  timeLimitMs: { full: 90_000, quick: 30_000 },
  async run(context) {
    const { logBytes: bytes, logSamples: samples } = context.sizes;
    const label = bytes >= 1024 * MiB ? `${bytes / (1024 * MiB)} GiB` : `${bytes / MiB} MiB`;
    const server = await context.startServer({ concurrency: 2 });
    await registerNoop(server.url, context.dir);
    const { taskId, taskDir } = await finishedNoopTask(server.url, server.baseDir);
    const logFile = join(taskDir, "log.txt");
    context.log(`writing a ${label} log`);
    await writeLogFile(logFile, bytes);

    const tail: number[] = [];
    for (let i = 0; i < samples; i++) tail.push((await runOk("tail", ["-n", "100", logFile], { timeoutMs: 10_000 })).ms);
    const http: number[] = [];
    for (let i = 0; i < samples; i++) {
      const { ms, value } = await timed(async () => {
        const response = await fetch(`${server.url}/api/task/${taskId}/log?lines=100`);
        return ((await response.json()) as { content: string }).content;
      });
      if (value.split("\n").length !== 101) throw new Error(`the log endpoint returned ${value.split("\n").length - 1} lines`);
      http.push(ms);
    }
    const cli: number[] = [];
    const nodeStart: number[] = [];
    for (let i = 0; i < CLI_SAMPLES; i++) {
      cli.push((await runOk(process.execPath, [CLI_ENTRY, "log", "--url", server.url, "--task-id", taskId, "--lines", "100"], { timeoutMs: 20_000 })).ms);
      nodeStart.push((await runOk(process.execPath, ["-e", ""], { timeoutMs: 20_000 })).ms);
    }

    const tailMs = median(tail);
    const httpMs = median(http);
    const cliMs = median(cli);
    return [
      {
        metric: `log --lines 100 on a ${label} log, HTTP (p50)`,
        value: httpMs,
        unit: "ms",
        reference: "`tail -n 100` of the file, spawned",
        referenceValue: tailMs,
        ratio: ratioOf(httpMs, tailMs, "lower-is-better"),
        target: "≤ 2× tail",
        met: httpMs <= 2 * tailMs,
        notes: `${samples} GET /api/task/{id}/log?lines=100 and ${samples} tail runs, medians`,
      },
      {
        metric: `log --lines 100 on a ${label} log, CLI (p50)`,
        value: cliMs,
        unit: "ms",
        reference: "`tail -n 100` of the file, spawned",
        referenceValue: tailMs,
        ratio: ratioOf(cliMs, tailMs, "lower-is-better"),
        target: "— (Node start-up bound)",
        met: null,
        notes: `${CLI_SAMPLES} \`cubqueue log\` processes; an empty \`node -e ""\` takes ${median(nodeStart).toFixed(0)} ms here, so the CLI is bound by Node's start-up, not by the tail`,
      },
    ];
  },
};
