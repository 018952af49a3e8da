import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { CAC } from "cac";
import { EXECUTORS, parseServerConfig, readEnvironment, type ExecutorName, type ServerConfig } from "../../src/config.ts";
import { SLURM_COMMANDS, type SlurmCommandName } from "../../src/runner/slurm/slurm-command-names.ts";
import { takeStopRequest } from "../../src/server/instance.ts";
import { CliError, list, requireOption, text } from "../cli-error.ts";
import type { CommandContext } from "../context.ts";
import { startDaemon, stopServer } from "../daemon.ts";
import { parseDurationSeconds } from "../duration.ts";
import { json } from "../output.ts";
import type { CommandRunner } from "../program.ts";
import { sbatchOptionsFlag } from "../sbatch-options-flag.ts";

interface StartOptions {
  host?: unknown;
  port?: unknown;
  daemon?: boolean;
  concurrency?: unknown;
  cpus?: unknown;
  gpus?: unknown;
  notifyUrl?: unknown;
  notifyOn?: unknown;
  onFinish?: unknown;
  python?: unknown;
  interpreter?: unknown;
  killGrace?: unknown;
  idleTimeout?: unknown;
  keepFinished?: unknown;
  maxUploadSize?: unknown;
  insecure?: boolean;
  token?: unknown;
  tokenFile?: unknown;
  executor?: unknown;
  slurmPartition?: unknown;
  slurmAccount?: unknown;
  slurmOpt?: unknown;
  slurmCommand?: unknown;
  slurmPoll?: unknown;
}

export function registerServerCommands(cli: CAC, run: CommandRunner) {
  cli
    .command("start", "Start a server (in the foreground, or in the background with --daemon)")
    .option("--host <host>", "Address to listen on", { default: "127.0.0.1" })
    .option("--port <port>", "Port to listen on (0: any free port)", { default: 8000 })
    .option("--daemon", "Run in the background; returns once the server answers")
    .option("--concurrency <n>", "How many tasks run at once (default: number of CPUs); with --executor slurm, the most jobs in Slurm at once (default: no cap)")
    .option("--cpus <n>", "The CPU slots tasks share, each taking its --cpus (default: number of CPUs)")
    .option("--gpus <ids>", "The GPUs tasks are given, e.g. 0,1,2,3, or none (default: those `nvidia-smi -L` lists)")
    .option("--notify-url <url>", "POST every finished task, as JSON, to this http(s) URL")
    .option("--notify-on <when>", "When --notify-url is called: finish (default) or all (every change of state)")
    .option("--on-finish <command>", "Run this shell command when a task finishes, with CUBQUEUE_TASK_ID, _STATUS, _EXIT_CODE, … set")
    .option("--executor <name>", "Where tasks run: local (processes on this machine) or slurm (one Slurm batch job each)", { default: "local" })
    .option("--slurm-partition <name>", "With --executor slurm: the partition of every job (default: Slurm's)")
    .option("--slurm-account <name>", "With --executor slurm: the account every job is charged to (default: Slurm's)")
    .option("--slurm-opt <option>", "With --executor slurm: an sbatch option for every job, after = (--slurm-opt=--qos=long; repeatable)")
    .option("--slurm-command <name=path>", "With --executor slurm: where sbatch, squeue, scontrol, scancel or sacct is (default: on PATH; repeatable)")
    .option("--slurm-poll <seconds>", "With --executor slurm: how often Slurm is asked about the jobs (one squeue for all)", { default: 2 })
    .option("--python <path>", "The Python interpreter for .py scripts")
    .option("--interpreter <name=path>", "Another interpreter, e.g. bash=/usr/local/bin/bash (repeatable)")
    .option("--kill-grace <seconds>", "How long a cancelled task has between TERM and KILL", { default: 5 })
    .option("--token-file <path>", "Require the token this file holds (read once; one trailing newline is ignored)")
    .option("--insecure", "Allow listening on a non-loopback --host without a token")
    .option("--idle-timeout <seconds>", "Give up a connection (and its upload) that sends nothing for this long", { default: 60 })
    .option("--max-upload-size <size>", "The most one submission may upload, e.g. 10G or 512M (default: unlimited)")
    .option("--keep-finished <duration>", "Delete finished tasks (record and folder) this long after they finished, e.g. 30d (default: keep)")
    .example("cubqueue start --base-dir ./cubqueue-data --port 8000 --daemon")
    .example("cubqueue start --base-dir /shared/cubqueue --executor slurm --slurm-partition batch --slurm-opt=--qos=long --daemon")
    .action(run<StartOptions>(start));

  cli
    .command("stop", "Stop the server of a base dir; running tasks keep running and are watched again at the next start")
    .option("--cancel-running", "Cancel the running tasks first")
    .example("cubqueue stop --base-dir ./cubqueue-data")
    .action(
      run<{ cancelRunning?: boolean }>(async (context, options) => {
        const baseDir = baseDirOf(context, options.baseDir);
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

async function start(context: CommandContext, options: StartOptions & { baseDir?: unknown }) {
  const config = serverConfigFrom(context, options);
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
            `  stop it with: cubqueue stop --base-dir ${config.baseDir}\n`,
    );
    return;
  }
  // Loaded here, not at the top: every other command would otherwise pay for loading the whole server.
  const { startServer } = await import("../../src/server/start-server.ts");
  // Every line the server writes says when: what it does on stdout, what goes wrong on stderr.
  const say = (message: string) => context.io.stdout(`${new Date().toISOString()} ${message}\n`);
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

function baseDirOf(context: CommandContext, flag: unknown): string {
  const baseDir = text(flag) ?? readEnvironment(context.io.env).baseDir;
  return resolve(requireOption(baseDir, "--base-dir", "the directory where scripts, tasks and the database live"));
}

function serverConfigFrom(context: CommandContext, options: StartOptions & { baseDir?: unknown }): ServerConfig {
  const env = readEnvironment(context.io.env);
  const interpreters: Record<string, string> = {};
  for (const pair of list(options.interpreter)) {
    const [name, path] = pair.split("=", 2);
    if (!name || !path) throw new CliError(`Invalid --interpreter "${pair}": use NAME=PATH, e.g. bash=/usr/bin/bash.`, 2);
    interpreters[name] = path;
  }
  const python = text(options.python);
  if (python) interpreters.python3 = python;
  const slurm = slurmSettingsOf(options);
  try {
    return parseServerConfig({
      baseDir: baseDirOf(context, options.baseDir),
      host: text(options.host),
      port: options.port as number,
      concurrency: options.concurrency as number | undefined,
      cpus: options.cpus as number | undefined,
      gpus: gpuList(options.gpus),
      notifyUrl: text(options.notifyUrl),
      notifyOn: text(options.notifyOn) as "finish" | "all" | undefined,
      onFinish: text(options.onFinish),
      killGraceMs: options.killGrace === undefined ? undefined : Number(options.killGrace) * 1000,
      idleTimeoutMs: options.idleTimeout === undefined ? undefined : Math.round(Number(options.idleTimeout) * 1000),
      keepFinishedMs:
        options.keepFinished === undefined ? undefined : Math.round(parseDurationSeconds("--keep-finished", String(options.keepFinished)) * 1000),
      maxUploadSize: options.maxUploadSize === undefined ? undefined : String(options.maxUploadSize),
      interpreters,
      token: tokenOf(options) ?? env.token,
      insecure: options.insecure === true,
      databaseUrl: env.databaseUrl,
      databaseAuthToken: env.databaseAuthToken,
      ...slurm,
    });
  } catch (error) {
    throw new CliError(`${(error as Error).message}; see cubqueue start --help.`, 2);
  }
}

/** --gpus: ids, comma-separated, or "none"; absent: found at start. */
function gpuList(value: unknown): string[] | undefined {
  const given = text(value);
  if (given === undefined) return undefined;
  if (given.trim().toLowerCase() === "none") return [];
  const ids = given.split(",").map((id) => id.trim());
  if (ids.some((id) => id === "") || new Set(ids).size !== ids.length) {
    throw new CliError(`Invalid --gpus "${given}": give GPU ids separated by commas, each once (e.g. 0,1,2,3), or none.`, 2);
  }
  return ids;
}

/**
 * The Slurm settings of start, each checked here so that a mistake names its flag. Given
 * without --executor slurm they would do nothing: that is refused, not ignored.
 */
function slurmSettingsOf(options: StartOptions) {
  const executor = text(options.executor) ?? "local";
  if (!(EXECUTORS as readonly string[]).includes(executor)) {
    throw new CliError(`Invalid --executor "${executor}": use ${EXECUTORS.join(" or ")}.`, 2);
  }
  const given = (["slurmPartition", "slurmAccount", "slurmOpt", "slurmCommand"] as const).filter((key) => options[key] !== undefined);
  if (executor !== "slurm" && given.length > 0) {
    const flag = `--${given[0]!.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
    throw new CliError(`${flag} is for a server that runs tasks on Slurm; add --executor slurm, or leave it out.`, 2);
  }
  const slurmCommands: Partial<Record<SlurmCommandName, string>> = {};
  for (const pair of list(options.slurmCommand)) {
    const [name, path] = pair.split("=", 2);
    if (!name || !path || !(SLURM_COMMANDS as readonly string[]).includes(name)) {
      throw new CliError(`Invalid --slurm-command "${pair}": use NAME=PATH with NAME one of ${SLURM_COMMANDS.join(", ")}, e.g. sbatch=/opt/slurm/bin/sbatch.`, 2);
    }
    slurmCommands[name as SlurmCommandName] = path;
  }
  const poll = Number(options.slurmPoll ?? 2);
  if (!Number.isFinite(poll) || poll < 0.1 || poll > 600) {
    throw new CliError(`Invalid --slurm-poll "${String(options.slurmPoll)}": give a number of seconds from 0.1 to 600.`, 2);
  }
  const word = (flag: string, value: unknown) => {
    const name = text(value);
    if (name !== undefined && !/^[^\s\0]+$/.test(name)) throw new CliError(`Invalid ${flag} "${name}": give one name, without spaces.`, 2);
    return name;
  };
  return {
    executor: executor as ExecutorName,
    slurmPartition: word("--slurm-partition", options.slurmPartition),
    slurmAccount: word("--slurm-account", options.slurmAccount),
    slurmOptions: sbatchOptionsFlag("--slurm-opt", options.slurmOpt),
    slurmCommands,
    slurmPollMs: Math.round(poll * 1000),
  };
}

/** The token of --token or --token-file (read here, once: the daemon child gets it by environment). */
function tokenOf(options: StartOptions): string | undefined {
  const flag = text(options.token);
  const path = text(options.tokenFile);
  if (path === undefined) return flag;
  if (flag !== undefined) throw new CliError("Give the token with --token or --token-file, not both.", 2);
  let content: string;
  try {
    content = readFileSync(path, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new CliError(`Cannot read --token-file ${path} (${reason}); give a readable file holding the token.`, 2);
  }
  const token = content.replace(/\r?\n$/, "");
  if (token === "") throw new CliError(`The --token-file ${path} is empty; write the token in it.`, 2);
  return token;
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
  add("--executor", options.executor);
  add("--slurm-partition", options.slurmPartition);
  add("--slurm-account", options.slurmAccount);
  // After "=": an sbatch option after a space would read as a flag of cubqueue's own.
  for (const option of list(options.slurmOpt)) args.push(`--slurm-opt=${option}`);
  for (const pair of list(options.slurmCommand)) add("--slurm-command", pair);
  add("--slurm-poll", options.slurmPoll);
  if (options.insecure) args.push("--insecure");
  return args;
}
