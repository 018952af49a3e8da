import { readdir } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import type { CAC } from "cac";
import type { CubQueueClient, Task, UploadProgress } from "../../src/client/index.ts";
import { CliError, list, requireOption, text } from "../cli-error.ts";
import type { CommandContext } from "../context.ts";
import { formatBytes, json } from "../output.ts";
import type { CommandRunner } from "../program.ts";
import { createProgress } from "../progress.ts";
import { sbatchOptionsFlag } from "../sbatch-options-flag.ts";
import { wholeNumber } from "../option-values.ts";
import { taskOptionsFrom, withTaskFlags, type TaskFlags } from "../task-options.ts";
import { taskEndLine } from "../task-exit.ts";
import { exitAsTask, waitForTask } from "./wait.ts";
import { mapInBatches } from "../../src/util/map-in-batches.ts";

interface SubmitFlags extends TaskFlags {
  script?: unknown;
  argFile?: unknown;
  argFilesFrom?: unknown;
  argLines?: unknown;
  maxRunning?: unknown;
  largeFiles?: unknown;
  hold?: boolean;
  slurmOpt?: unknown;
  quiet?: boolean;
  wait?: boolean;
}

export function registerSubmitCommand(cli: CAC, run: CommandRunner) {
  withTaskFlags(
    cli
      .command("submit", "Submit a task (a script, its JSON argument file, large files), or an array of them")
      .option("--script <name>", "A registered script")
      .option("--arg-file <path>", "The JSON argument file; <file1>, <file2>, … in it name the large files. Repeat it for an array: one task each")
      .option("--arg-files-from <dir>", "An array: one task per .json file in this folder, in name order")
      .option("--arg-lines <path>", "An array: one task per line of this JSON-lines file")
      .option("--max-running <n>", "An array: at most this many of its tasks run at once")
      .option("--large-files <path>", "A file to upload, in placeholder order (repeatable); an array's tasks share them, uploaded once"),
  )
    .option("--hold", "Submit it held: it starts only once released (release)")
    .option("--slurm-opt <option>", "On a Slurm server: an sbatch option for the task's jobs, after = (--slurm-opt=--qos=long; repeatable)")
    .option("--quiet", "Print only the task id (an array: one id per line); with --wait, not the log")
    .option("--wait", "Then print the task's log as it runs, and exit as it did: its own exit code (see the README)")
    .example("cubqueue submit --script align --arg-file args.json --large-files reads1.fq --large-files reads2.fq")
    .example("cubqueue submit --script align --arg-file args.json --name 'sample 42' --tag project=beta --wait")
    .example("cubqueue submit --script align --arg-file args.json --retries 3 --retry-delay 30s --timeout 2h --priority 10")
    .example("cubqueue submit --script align --arg-files-from samples/ --large-files ref.fa --max-running 4")
    .example("cubqueue submit --script align --arg-file args.json --slurm-opt=--mem=16G --slurm-opt=--qos=long")
    .action(run(submit));
}

async function submit(context: CommandContext, flags: SubmitFlags) {
  const script = requireOption(text(flags.script), "--script", "the registered script to run");
  const argFiles = [...list(flags.argFile), ...(await jsonFilesIn(text(flags.argFilesFrom)))];
  const argLines = text(flags.argLines);
  const isArray = argFiles.length > 1 || argLines !== undefined || flags.argFilesFrom !== undefined || flags.maxRunning !== undefined;
  if (flags.wait && flags.hold) throw new CliError("A held task does not start until released: leave out --wait, or --hold.", 2);
  if (argFiles.length === 0 && argLines === undefined) {
    throw new CliError("Missing --arg-file (the JSON argument file), or for an array --arg-files-from or --arg-lines; see --help.", 2);
  }
  const files = list(flags.largeFiles);
  const slurmOptions = sbatchOptionsFlag("--slurm-opt", flags.slurmOpt);
  const options = { ...taskOptionsFrom(flags), ...(flags.hold ? { hold: true } : {}), ...(slurmOptions.length > 0 ? { slurmOptions } : {}) };
  const { client } = await context.connect();
  const progress = uploadProgress(context);
  const onProgress = progress.update;
  try {
    if (isArray) {
      const maxRunning = flags.maxRunning === undefined ? undefined : wholeNumber("--max-running", flags.maxRunning, 1);
      const array = await client.submitArray(script, argFiles, files, { ...options, argLinesPath: argLines, maxRunning, onProgress });
      progress.finish();
      if (flags.quiet) context.io.stdout(array.task_ids.map((id) => `${id}\n`).join(""));
      else if (context.json && !flags.wait) context.io.stdout(json(array));
      else {
        const limit = array.max_running === null ? "" : `, at most ${array.max_running} at once`;
        // With --wait, stdout is for what the tasks did; what CubQueue says goes to stderr.
        (flags.wait ? context.io.stderr : context.io.stdout)(
          `Submitted array ${array.array_id}: ${array.task_ids.length} task${array.task_ids.length === 1 ? "" : "s"} of script ${script}${limit}.\n` +
            (flags.wait ? "" : `See them with: ${context.command} list --script ${script}\n`),
        );
      }
      if (flags.wait) await waitForArray(context, client, array.task_ids, flags.quiet === true);
      return;
    }
    const taskId = await client.submitTask(script, argFiles[0]!, files, { ...options, onProgress });
    progress.finish();
    if (flags.wait) return await waitForOne(context, client, taskId, flags.quiet === true);
    if (flags.quiet) return context.io.stdout(`${taskId}\n`);
    if (context.json) return context.io.stdout(json(await client.getTaskStatus(taskId)));
    const uploaded = files.length === 0 ? "" : ` with ${files.length} file${files.length === 1 ? "" : "s"}`;
    const held = flags.hold ? `, held (start it with: ${context.command} release ${taskId})` : "";
    context.io.stdout(`Submitted task ${taskId} (script ${script}${uploaded})${held}.\nFollow it with: ${context.command} log -f ${taskId}\n`);
  } finally {
    progress.finish();
  }
}

/**
 * submit --wait of one task: its log on stdout as it is written (unless quiet or --json),
 * then the exit status of the task. If following is cut (the server restarting), the wait
 * goes on without the rest of the log, which `log` still has.
 */
async function waitForOne(context: CommandContext, client: CubQueueClient, taskId: string, quiet: boolean): Promise<void> {
  if (quiet) context.io.stdout(`${taskId}\n`);
  else if (!context.json) {
    context.io.stderr(`Submitted task ${taskId}; its log follows. Ctrl-C stops following (the task goes on: ${context.command} log -f ${taskId}).\n`);
    try {
      // The task may have started, and written, before the follow is answered: ask for the log from its start.
      for await (const chunk of client.followTaskLog(taskId, { lines: FROM_THE_START })) await context.io.stdoutBytes(chunk);
    } catch (error) {
      context.io.stderr(`Following the log stopped (${(error as Error).message}); waiting for the task to finish. Its log: ${context.command} log --all ${taskId}\n`);
    }
  }
  const task = await waitForTask(client, taskId);
  if (context.json) context.io.stdout(json(task));
  exitAsTask(task);
}

/**
 * What a submission's files are doing, on one line redrawn on stderr: "Uploading" the form's
 * files, or for each large file "Hashing" it (the server may have it already), then
 * "Uploading" it; an upload that picks up where an earlier run stopped says so once.
 */
function uploadProgress(context: CommandContext) {
  let current: { key: string; bar: ReturnType<typeof createProgress> } | undefined;
  const finish = () => current?.bar.finish();
  return {
    update(progress: UploadProgress) {
      const phase = progress.phase ?? "uploading";
      const key = progress.phase === undefined ? "form" : `${phase} ${progress.file}`;
      if (current?.key !== key) {
        finish();
        const label = progress.phase === undefined ? "Uploading" : `${phase === "hashing" ? "Hashing" : "Uploading"} ${basename(progress.file)}`;
        current = { key, bar: createProgress(context.io, label) };
      }
      if (progress.resumedAt !== undefined) {
        const percent = Math.floor((progress.resumedAt / Math.max(progress.total, 1)) * 100);
        context.io.stderr(`Resuming the upload of ${basename(progress.file)} at ${formatBytes(progress.resumedAt)} of ${formatBytes(progress.total)} (${percent} %).\n`);
      }
      current.bar.update(progress.sent, progress.total);
    },
    finish,
  };
}

/** The most lines a follow starts with: for a task just submitted, its whole log so far. */
const FROM_THE_START = 100_000;

/** How many of an array's tasks are waited on at once (each wait holds one event stream open). */
const ARRAY_WAITS_AT_ONCE = 8;

/** submit --wait of an array: a line as each task finishes; the exit status of the first that did not succeed. */
async function waitForArray(context: CommandContext, client: CubQueueClient, taskIds: readonly string[], quiet: boolean): Promise<void> {
  const ended = await mapInBatches([...taskIds], ARRAY_WAITS_AT_ONCE, async (taskId) => {
    const task = await waitForTask(client, taskId);
    if (!quiet && !context.json) context.io.stderr(`${taskEndLine(task)}\n`);
    return task;
  });
  if (context.json) context.io.stdout(json(ended));
  const failed = ended.find((task: Task) => task.status !== "succeeded");
  if (failed) {
    const count = ended.filter((task) => task.status !== "succeeded").length;
    try {
      exitAsTask(failed);
    } catch (error) {
      throw Object.assign(error as CliError, { message: `${count} of ${ended.length} tasks did not succeed; the first: ${(error as CliError).message}` });
    }
  }
}

/** The .json files of a folder, in name order; none is a mistake worth saying. */
async function jsonFilesIn(dir: string | undefined): Promise<string[]> {
  if (dir === undefined) return [];
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw new CliError(`Cannot read --arg-files-from ${dir} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); give a folder of .json argument files.`, 2);
  }
  const files = names.filter((name) => name.toLowerCase().endsWith(".json")).sort();
  if (files.length === 0) throw new CliError(`No .json files in --arg-files-from ${dir}; put one argument file per task there.`, 2);
  return files.map((name) => join(resolve(dir), name));
}
