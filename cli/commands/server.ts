import type { CAC } from "cac";
import type { ServerConfig } from "../../src/config.ts";
import { takeStopRequest } from "../../src/server/instance.ts";
import { list, text } from "../cli-error.ts";
import type { CommandContext } from "../context.ts";
import { startDaemon, stopServer } from "../daemon.ts";
import { batchLines } from "../line-batch.ts";
import { json } from "../output.ts";
import type { CommandRunner } from "../program.ts";
import { baseDirOf, serverConfigFrom, type StartOptions } from "../start-options.ts";

export function registerServerCommands(cli: CAC, run: CommandRunner) {
  cli
    .command("start", "Start a server (in the foreground, or in the background with --daemon)")
    .option("--host <host>", "Address to listen on", { default: "127.0.0.1" })
    .option("--port <port>", "Port to listen on, 1 to 65535 (0: any free port)", { default: 8000 })
    .option("--daemon", "Run in the background; returns once the server answers")
    .option("--concurrency <n>", "How many tasks run at once, 1 to 1024 (default: number of CPUs); with --executor slurm, the most jobs in Slurm at once (default: no cap)")
    .option("--cpus <n>", "The CPU slots tasks share, each taking its --cpus (default: number of CPUs)")
    .option("--gpus <ids>", "The GPUs tasks are given, e.g. 0,1,2,3, or none (default: those `nvidia-smi -L` lists)")
    .option("--notify-url <url>", "POST every finished task, as JSON, to this http(s) URL")
    .option("--notify-on <when>", "When --notify-url is called: finish (default) or all (every change of state)")
    .option("--on-finish <command>", "Run this shell command when a task finishes, with CUBQUEUE_TASK_ID, _STATUS, _EXIT_CODE, … set")
    .option("--executor <name>", "Where tasks run: local (processes on this machine) or slurm (one Slurm batch job each)", { default: "local" })
    .option("--launcher <when>", "What starts local tasks: auto (default: the task launcher, run by the scripts' python3, where it can run) or off (the server itself, slower); or CUBQUEUE_LAUNCHER")
    .option("--slurm-partition <name>", "With --executor slurm: the partition of every job (default: Slurm's)")
    .option("--slurm-account <name>", "With --executor slurm: the account every job is charged to (default: Slurm's)")
    .option("--slurm-opt <option>", "With --executor slurm: an sbatch option for every job, after = (--slurm-opt=--qos=long; repeatable)")
    .option("--slurm-command <name=path>", "With --executor slurm: where sbatch, squeue, scontrol, scancel or sacct is (default: on PATH; repeatable)")
    .option("--slurm-poll <seconds>", "With --executor slurm: how often Slurm is asked about the jobs (one squeue for all)", { default: 2 })
    .option("--python <path>", "The Python interpreter for .py scripts")
    .option("--interpreter <name=path>", "Another interpreter, e.g. bash=/usr/local/bin/bash (repeatable)")
    .option("--kill-grace <duration>", "How long a cancelled task has between TERM and KILL (0 to 1d, e.g. 5 or 30s; default 5s)")
    .option("--token-file <path>", "Require the token this file holds (read once; one trailing newline is ignored)")
    .option("--insecure", "Allow listening on a non-loopback --host without a token")
    .option("--idle-timeout <duration>", "Give up a connection (and its upload) that sends nothing for this long (0.1s to 1d; default 60s)")
    .option("--max-upload-size <size>", "The most one submission may upload, e.g. 10G or 512M (default: unlimited)")
    .option("--upload-expiry <duration>", "Remove a resumable upload that sent nothing for this long, at least 1s (default 1d)")
    .option("--keep-finished <duration>", "Delete finished tasks (record and folder) this long after they finished, at least 1m, e.g. 30d (default: keep)")
    .example("cubqueue start --base-dir ./cubqueue-data --port 8000 --daemon")
    .example("cubqueue start --base-dir /shared/cubqueue --executor slurm --slurm-partition batch --slurm-opt=--qos=long --daemon")
    .action(run<StartOptions>(start));

  cli
    .command("stop", "Stop the server of a base dir; running tasks keep running and are watched again at the next start")
    .option("--cancel-running", "Cancel the running tasks first")
    .example("cubqueue stop --base-dir ./cubqueue-data")
    .action(
      run<{ cancelRunning?: boolean }>(async (context, options) => {
        const baseDir = baseDirOf(options.baseDir, context.io.env);
        const cancelRunning = options.cancelRunning === true;
        const result = await stopServer(baseDir, { cancelRunning });
        const tasks = cancelRunning ? "its running tasks were cancelled" : "running tasks keep running until the next start";
        const message =
          result.kind === "stopped"
            ? `Stopped the CubQueue server (pid ${result.pid}) of ${baseDir}; ${tasks}.`
            : `The CubQueue server recorded in ${baseDir} (pid ${result.pid}) was not running; removed its stale pid file.`;
        context.io.stdout(context.json ? json({ ...result, base_dir: baseDir, cancelled_running: cancelRunning }) : `${message}\n`);
      }),
    );
}

async function start(context: CommandContext, options: StartOptions) {
  const config = serverConfigFrom(options, context.io.env);
  if (text(options.token) !== undefined) {
    context.io.stderr(
      "cubqueue: warning: --token is shown to every user of this machine by `ps`; set CUBQUEUE_TOKEN or use --token-file instead.\n",
    );
  }
  if (options.daemon) {
    const { pid, url } = await startDaemon(config, daemonArgs(options));
    context.io.stdout(
      context.json
        ? json({ pid, url, base_dir: config.baseDir })
        : `CubQueue is running in the background (pid ${pid}) at ${url}\n` +
            `  base dir: ${config.baseDir}\n  log: ${config.baseDir}/cubqueue.log\n` +
            `  stop it with: ${context.command} stop --base-dir ${config.baseDir}\n`,
    );
    return;
  }
  // Loaded here, not at the top: every other command would otherwise pay for loading the whole server.
  const { startServer } = await import("../../src/server/start-server.ts");
  // Every line the server writes says when: what it does on stdout, what goes wrong on stderr.
  const sayLine = batchLines(context.io.stdout);
  const say = (message: string) => sayLine(`${new Date().toISOString()} ${message}\n`);
  const warn = (message: string) => context.io.stderr(`${new Date().toISOString()} ${message}\n`);
  const server = await startServer(config, {
    info: say,
    log: warn,
    logError: (error, where) => warn(`${where ? `${where}: ` : ""}${error instanceof Error ? (error.stack ?? error.message) : String(error)}`),
  });
  const layout = server.layout;
  say(`CubQueue listening on ${server.url} (base dir ${config.baseDir}, ${runsWhere(config)}); API docs at ${server.url}/docs`);
  await new Promise<void>((resolveStop) => {
    const shutdown = async (signal: string) => {
      const request = await takeStopRequest(layout);
      const tasks = request.cancelRunning ? "cancelling running tasks" : "running tasks keep running until the next start";
      say(`Received ${signal}; stopping (${tasks}).`);
      await server.stop(request);
    };
    const onSignal = (signal: string) => void shutdown(signal).then(resolveStop, resolveStop);
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
  });
  say("CubQueue stopped.");
}

/** "4 at a time", or where Slurm jobs go: "on Slurm, partition batch, at most 500 jobs at once". */
function runsWhere(config: ServerConfig): string {
  if (config.executor === "local") return `${config.concurrency} at a time`;
  const where = [config.slurmPartition && `partition ${config.slurmPartition}`, config.slurmAccount && `account ${config.slurmAccount}`].filter(Boolean);
  const cap = Number.isFinite(config.concurrency) ? `at most ${config.concurrency} jobs at once` : "as many jobs at once as are queued";
  return ["on Slurm", ...where, cap].join(", ");
}

/** The flags a daemon child is started with: the same as this start, minus --daemon. */
function daemonArgs(options: StartOptions): string[] {
  const args: string[] = [];
  const add = (flag: string, value: unknown) => {
    if (value !== undefined && value !== null && typeof value !== "boolean") args.push(flag, String(value));
  };
  add("--host", options.host);
  add("--port", options.port);
  add("--concurrency", options.concurrency);
  add("--cpus", options.cpus);
  add("--gpus", options.gpus);
  add("--notify-url", options.notifyUrl);
  add("--notify-on", options.notifyOn);
  add("--on-finish", options.onFinish);
  add("--python", options.python);
  for (const pair of list(options.interpreter)) add("--interpreter", pair);
  add("--kill-grace", options.killGrace);
  add("--idle-timeout", options.idleTimeout);
  add("--max-upload-size", options.maxUploadSize);
  add("--keep-finished", options.keepFinished);
  add("--upload-expiry", options.uploadExpiry);
  add("--executor", options.executor);
  add("--launcher", options.launcher);
  add("--slurm-partition", options.slurmPartition);
  add("--slurm-account", options.slurmAccount);
  // After "=": an sbatch option after a space would read as a flag of cubqueue's own.
  for (const option of list(options.slurmOpt)) args.push(`--slurm-opt=${option}`);
  for (const pair of list(options.slurmCommand)) add("--slurm-command", pair);
  add("--slurm-poll", options.slurmPoll);
  if (options.insecure) args.push("--insecure");
  return args;
}
