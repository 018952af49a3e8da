import { readdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { CAC } from "cac";
import { CliError, list, requireOption, text } from "../cli-error.ts";
import type { CommandContext } from "../context.ts";
import { json } from "../output.ts";
import type { CommandRunner } from "../program.ts";
import { createProgress } from "../progress.ts";
import { sbatchOptionsFlag } from "../sbatch-options-flag.ts";
import { wholeNumber } from "../option-values.ts";
import { taskOptionsFrom, withTaskFlags, type TaskFlags } from "../task-options.ts";

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
    .option("--hold", "Submit it held: it starts only once released (cubqueue release)")
    .option("--slurm-opt <option>", "On a Slurm server: an sbatch option for the task's jobs, after = (--slurm-opt=--qos=long; repeatable)")
    .option("--quiet", "Print only the task id (an array: one id per line)")
    .example("cubqueue submit --script align --arg-file args.json --large-files reads1.fq --large-files reads2.fq")
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
  if (argFiles.length === 0 && argLines === undefined) {
    throw new CliError("Missing --arg-file (the JSON argument file), or for an array --arg-files-from or --arg-lines; see --help.", 2);
  }
  const files = list(flags.largeFiles);
  const slurmOptions = sbatchOptionsFlag("--slurm-opt", flags.slurmOpt);
  const options = { ...taskOptionsFrom(flags), ...(flags.hold ? { hold: true } : {}), ...(slurmOptions.length > 0 ? { slurmOptions } : {}) };
  const { client } = await context.connect();
  const progress = createProgress(context.io, "Uploading");
  const onProgress = ({ sent, total }: { sent: number; total: number }) => progress.update(sent, total);
  try {
    if (isArray) {
      const maxRunning = flags.maxRunning === undefined ? undefined : wholeNumber("--max-running", flags.maxRunning, 1);
      const array = await client.submitArray(script, argFiles, files, { ...options, argLinesPath: argLines, maxRunning, onProgress });
      progress.finish();
      if (flags.quiet) return context.io.stdout(array.task_ids.map((id) => `${id}\n`).join(""));
      if (context.json) return context.io.stdout(json(array));
      const limit = array.max_running === null ? "" : `, at most ${array.max_running} at once`;
      return context.io.stdout(
        `Submitted array ${array.array_id}: ${array.task_ids.length} task${array.task_ids.length === 1 ? "" : "s"} of script ${script}${limit}.\n` +
          `See them with: cubqueue list --script ${script}\n`,
      );
    }
    const taskId = await client.submitTask(script, argFiles[0]!, files, { ...options, onProgress });
    progress.finish();
    if (flags.quiet) return context.io.stdout(`${taskId}\n`);
    if (context.json) return context.io.stdout(json(await client.getTaskStatus(taskId)));
    const uploaded = files.length === 0 ? "" : ` with ${files.length} file${files.length === 1 ? "" : "s"}`;
    const held = flags.hold ? ", held (start it with: cubqueue release --task-id " + taskId + ")" : "";
    context.io.stdout(`Submitted task ${taskId} (script ${script}${uploaded})${held}.\nFollow it with: cubqueue status --task-id ${taskId}\n`);
  } finally {
    progress.finish();
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
