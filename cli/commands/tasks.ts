import type { CAC } from "cac";
import { CliError, text } from "../cli-error.ts";
import { describeTask } from "../describe-task.ts";
import { parseDurationSeconds } from "../duration.ts";
import { json } from "../output.ts";
import type { CommandRunner } from "../program.ts";
import { connectToTask, type TaskCommandOptions } from "../task-command.ts";

export function registerTaskCommands(cli: CAC, run: CommandRunner) {
  cli
    .command("status [task]", "Show a task: its state, progress, times, attempts and files (the task: its id or the start of it)")
    .option("--task-id <id>", "The task (instead of the argument)")
    .example("cubqueue status 3f2a9c1d")
    .action(
      run<TaskCommandOptions>(async (context, options) => {
        const { client, taskId } = await connectToTask(context, options);
        const task = await client.getTaskStatus(taskId);
        context.io.stdout(context.json ? json(task) : describeTask(task));
      }),
    );

  cli
    .command("cancel [task]", "Cancel a queued or running task")
    .option("--task-id <id>", "The task (instead of the argument)")
    .action(
      run<TaskCommandOptions>(async (context, options) => {
        const { client, taskId } = await connectToTask(context, options);
        const task = await client.cancelTask(taskId);
        context.io.stdout(context.json ? json(task) : `Cancelled task ${task.task_id} (${task.error ?? task.status}).\n`);
      }),
    );

  cli
    .command("restart [task]", "Run a finished task again, as its next attempt, with its files and optionally a new argument file")
    .option("--task-id <id>", "The task (succeeded, failed or cancelled)")
    .option("--arg-file <path>", "A new JSON argument file; its <file1>, <file2>, … name the task's files")
    .action(
      run<TaskCommandOptions & { argFile?: unknown }>(async (context, options) => {
        const { client, taskId } = await connectToTask(context, options);
        const task = await client.restartTask(taskId, { argFilePath: text(options.argFile) });
        context.io.stdout(context.json ? json(task) : `Restarted task ${task.task_id}: attempt ${task.attempts + 1} is queued.\n`);
      }),
    );

  cli
    .command("delete [task]", "Delete a finished task: its record and its whole folder (output, metadata, logs)")
    .option("--task-id <id>", "The task (succeeded, failed or cancelled)")
    .action(
      run<TaskCommandOptions>(async (context, options) => {
        const { client, taskId } = await connectToTask(context, options);
        const task = await client.deleteTask(taskId);
        context.io.stdout(context.json ? json(task) : `Deleted task ${task.task_id} (${task.status}) and its folder.\n`);
      }),
    );

  cli
    .command("flush", "Delete finished tasks with their folders: all, or those of one status, or older ones")
    .option("--status <status>", "Only tasks that ended so (succeeded, failed or cancelled)")
    .option("--older-than <duration>", "Only tasks that finished longer ago than this (e.g. 7d, 12h)")
    .example("cubqueue flush --status failed --older-than 7d")
    .action(
      run<{ status?: unknown; olderThan?: unknown }>(async (context, options) => {
        const status = text(options.status);
        const finished = ["succeeded", "failed", "cancelled"] as const;
        if (status !== undefined && !finished.includes(status as (typeof finished)[number])) {
          throw new CliError(`Invalid --status "${status}": flush deletes only finished tasks (${finished.join(", ")}).`, 2);
        }
        const olderThanS = options.olderThan === undefined ? undefined : parseDurationSeconds("--older-than", String(options.olderThan));
        const { client } = await context.connect();
        const result = await client.flushTasks({ status: status as (typeof finished)[number] | undefined, olderThanS });
        context.io.stdout(context.json ? json(result) : `Deleted ${result.deleted} finished task${result.deleted === 1 ? "" : "s"}.\n`);
      }),
    );
}
