import type { CAC } from "cac";
import { CliError } from "../cli-error.ts";
import type { CommandContext } from "../context.ts";
import { wholeNumber } from "../option-values.ts";
import { json } from "../output.ts";
import type { CommandRunner } from "../program.ts";
import { connectToTask, type TaskCommandOptions } from "../task-command.ts";

interface LogFlags extends TaskCommandOptions {
  lines?: unknown;
  attempt?: unknown;
  follow?: boolean;
  all?: boolean;
}

export function registerLogCommand(cli: CAC, run: CommandRunner) {
  cli
    .command("log [task]", "Print the last lines of a task's log, follow it as it is written (-f), or print all of it (--all)")
    .option("--task-id <id>", "The task (instead of the argument)")
    .option("--lines <n>", "How many of the last lines, 1 to 100000", { default: 100 })
    .option("--attempt <n>", "Which attempt's log (1 for the first run; default: the latest)")
    .option("-f, --follow", "Then print what the task writes, as it writes it, until it finishes")
    .option("--all", "The whole log, however long (e.g. log --all 3f2a > task.log)")
    .example("cubqueue log 3f2a9c1d -f")
    .example("cubqueue log 3f2a9c1d --all > task.log")
    .action(run(printLog));
}

async function printLog(context: CommandContext, flags: LogFlags) {
  if (flags.follow && flags.all) throw new CliError("Give --follow or --all, not both: --follow prints the last lines, then what comes.", 2);
  if ((flags.follow || flags.all) && context.json) throw new CliError(`--${flags.follow ? "follow" : "all"} prints the log as it is; leave out --json.`, 2);
  if (flags.follow && flags.attempt !== undefined) throw new CliError("--follow follows the latest attempt; leave out --attempt, or leave out --follow to read an earlier one.", 2);
  const lines = wholeNumber("--lines", flags.lines, flags.follow ? 0 : 1, 100_000);
  const attempt = flags.attempt === undefined ? undefined : wholeNumber("--attempt", flags.attempt, 1);
  const { client, taskId } = await connectToTask(context, flags);
  if (flags.follow) {
    for await (const chunk of client.followTaskLog(taskId, { lines })) await context.io.stdoutBytes(chunk);
    return;
  }
  if (flags.all) {
    for await (const chunk of (await client.openTaskLog(taskId, { attempt })) as unknown as AsyncIterable<Uint8Array>) await context.io.stdoutBytes(chunk);
    return;
  }
  const log = await client.getTaskLogTail(taskId, lines, { attempt });
  const { content, bytes, truncated } = log;
  context.io.stdout(context.json ? json({ task_id: taskId, attempt: log.attempt, lines, content, bytes, truncated }) : content);
  if (truncated) {
    context.io.stderr(`Note: the last ${lines} lines of the log hold more than 1 MiB; shown are only its last ${bytes} bytes (--all prints all of it).\n`);
  }
}
