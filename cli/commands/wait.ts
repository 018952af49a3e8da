import type { CAC } from "cac";
import { CubQueueTimeoutError, type CubQueueClient, type Task } from "../../src/client/index.ts";
import { CliError } from "../cli-error.ts";
import { describeTask } from "../describe-task.ts";
import { durationSeconds } from "../option-values.ts";
import { formatDuration, json } from "../output.ts";
import type { CommandRunner } from "../program.ts";
import { connectToTask, type TaskCommandOptions } from "../task-command.ts";
import { TASK_EXIT, taskEndLine, taskExitCode } from "../task-exit.ts";

export function registerWaitCommand(cli: CAC, run: CommandRunner) {
  cli
    .command("wait [task]", "Wait until a task has finished, and exit as it did: 0 if it succeeded, else its exit code (see the README)")
    .option("--task-id <id>", "The task (instead of the argument)")
    .option("--timeout <duration>", "Give up after this long (e.g. 90, 30s, 2h): exit 75, the task goes on")
    .option("--quiet", "Print nothing but why it did not succeed; the exit status says how it ended")
    .example("cubqueue wait 3f2a9c1d --timeout 2h && cubqueue download 3f2a9c1d --result --output-dir out")
    .action(
      run<TaskCommandOptions & { timeout?: unknown; quiet?: boolean }>(async (context, options) => {
        const timeoutMs = options.timeout === undefined ? undefined : durationSeconds("--timeout", options.timeout, 0) * 1000;
        const { client, taskId } = await connectToTask(context, options);
        const task = await waitForTask(client, taskId, timeoutMs);
        if (!options.quiet) context.io.stdout(context.json ? json(task) : describeTask(task));
        exitAsTask(task);
      }),
    );
}

/** Waits for the task's end; a wait that runs out is an error with its own exit status. */
export async function waitForTask(client: CubQueueClient, taskId: string, timeoutMs?: number): Promise<Task> {
  try {
    return await client.waitForTask(taskId, { timeoutMs });
  } catch (error) {
    if (!(error instanceof CubQueueTimeoutError)) throw error;
    throw new CliError(
      `Task ${taskId} is still ${error.status} after ${formatDuration(timeoutMs ?? 0)}; it goes on (wait again, or cancel it).`,
      TASK_EXIT.stillRunning,
      "wait_timeout",
    );
  }
}

/** Ends the command as the task ended: normally if it succeeded, else with its exit status (task-exit.ts) and why. */
export function exitAsTask(task: Task): void {
  const code = taskExitCode(task);
  if (code !== 0) throw new CliError(taskEndLine(task), code, `task_${task.status}`);
}
