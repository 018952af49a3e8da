import type { Command } from "cac";
import type { TaskOptions } from "../src/client/index.ts";
import { CliError, list } from "./cli-error.ts";
import { parseDurationSeconds } from "./duration.ts";
import { choice, keyValues, wholeNumber } from "./option-values.ts";

/** The flags that set how a task runs and is scheduled, as cac parsed them. */
export interface TaskFlags {
  retries?: unknown;
  retryDelay?: unknown;
  retryBackoff?: unknown;
  timeout?: unknown;
  priority?: unknown;
  after?: unknown;
  afterAny?: unknown;
  cpus?: unknown;
  gpus?: unknown;
  env?: unknown;
  name?: unknown;
  tag?: unknown;
  notifyUrl?: unknown;
  notifyOn?: unknown;
}

/**
 * Declares the task flags on a command: submit, or (`editing`) edit, where
 * --retry-backoff takes yes or no and --timeout may be "none".
 */
export function withTaskFlags(command: Command, { editing = false } = {}): Command {
  return command
    .option("--retries <n>", "Run a failed or timed-out attempt again, up to n times (0-100; never after a cancel)")
    .option("--retry-delay <duration>", "Wait this long before a retry (e.g. 30s, 5m; default 0)")
    .option(editing ? "--retry-backoff <yes|no>" : "--retry-backoff", "Double the wait before each further retry")
    .option(
      "--timeout <duration>",
      editing ? "A new time limit per attempt (e.g. 90s, 2h), or none" : "Stop an attempt that runs longer (e.g. 90s, 2h): TERM, then KILL, and it fails",
    )
    .option("--priority <n>", "Higher starts first (-1000000 to 1000000; default 0)")
    .option("--after <ids>", "Start only once these tasks succeeded (comma-separated, repeatable); if one fails, this one is cancelled")
    .option("--after-any <ids>", "Start only once these tasks ended, however (comma-separated, repeatable)")
    .option("--cpus <n>", "CPU slots each attempt takes (default 1)")
    .option("--gpus <n>", "GPUs each attempt takes (default 0); it gets CUDA_VISIBLE_DEVICES naming its own")
    .option("--env <KEY=VALUE>", "A variable for every attempt (repeatable)")
    .option("--name <name>", "A name for people, shown by list and status (list --name finds it)")
    .option("--tag <KEY=VALUE>", editing ? "Its tags, replacing those it has (repeatable)" : "A label to find it by, e.g. --tag project=beta (repeatable; list --tag finds it)")
    .option("--notify-url <url>", "POST the task as JSON to this http(s) URL when it finishes")
    .option("--notify-on <when>", "When --notify-url is called: finish (default) or all (every change of state)");
}

/** The task options the flags give (only those given). */
export function taskOptionsFrom(flags: TaskFlags): TaskOptions {
  const options: TaskOptions = {};
  if (flags.retries !== undefined) options.maxRetries = wholeNumber("--retries", flags.retries, 0, 100);
  if (flags.retryDelay !== undefined) options.retryDelayS = parseDurationSeconds("--retry-delay", String(flags.retryDelay));
  if (flags.retryBackoff === true || flags.retryBackoff === "yes") options.retryBackoff = true;
  else if (flags.retryBackoff === "no") options.retryBackoff = false;
  else if (flags.retryBackoff !== undefined) throw new CliError(`Invalid --retry-backoff "${String(flags.retryBackoff)}": give yes or no.`, 2);
  if (flags.timeout !== undefined) options.timeoutS = parseDurationSeconds("--timeout", String(flags.timeout));
  if (flags.priority !== undefined) options.priority = integer("--priority", flags.priority);
  if (flags.after !== undefined) options.after = ids(flags.after);
  if (flags.afterAny !== undefined) options.afterAny = ids(flags.afterAny);
  if (flags.cpus !== undefined) options.cpus = wholeNumber("--cpus", flags.cpus, 1);
  if (flags.gpus !== undefined) options.gpus = wholeNumber("--gpus", flags.gpus, 0);
  if (flags.env !== undefined) options.env = keyValues("--env", flags.env, "OMP_NUM_THREADS=4");
  if (flags.name !== undefined) options.name = String(flags.name);
  if (flags.tag !== undefined) options.tags = keyValues("--tag", flags.tag, "project=beta");
  if (flags.notifyUrl !== undefined) options.notifyUrl = String(flags.notifyUrl);
  if (flags.notifyOn !== undefined) options.notifyOn = choice("--notify-on", flags.notifyOn, ["finish", "all"] as const);
  return options;
}

function integer(option: string, value: unknown): number {
  if (!/^-?[0-9]+$/.test(String(value).trim())) throw new CliError(`Invalid ${option} "${String(value)}": give a whole number, e.g. 10 or -5.`, 2);
  return Number(value);
}

/** Task ids from a repeatable, comma-separated option. */
function ids(value: unknown): string[] {
  return list(value)
    .flatMap((each) => each.split(","))
    .map((each) => each.trim())
    .filter(Boolean);
}
