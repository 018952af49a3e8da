import type { CAC } from "cac";
import type { CubQueueClient, EditOptions, Queue, Task } from "../../src/client/index.ts";
import { text } from "../cli-error.ts";
import { json, table } from "../output.ts";
import type { CommandRunner } from "../program.ts";
import { wholeNumber } from "../option-values.ts";
import { connectToTask, type TaskCommandOptions } from "../task-command.ts";
import { taskOptionsFrom, withTaskFlags, type TaskFlags } from "../task-options.ts";

export function registerSteeringCommands(cli: CAC, run: CommandRunner) {
  withTaskFlags(
    cli.command("edit [task]", "Change a task that has not started: priority, dependencies, retries, time limit, slots, variables, name, tags or argument file"),
    { editing: true },
  )
    .option("--task-id <id>", "The task (queued or held)")
    .option("--arg-file <path>", "A new JSON argument file; its <file1>, <file2>, … name the task's files")
    .example("cubqueue edit 3f2a9c1d --priority 100")
    .example("cubqueue edit 3f2a9c1d --after 9c1d0e2f --timeout none")
    .action(
      run<TaskFlags & TaskCommandOptions & { argFile?: unknown }>(async (context, flags) => {
        const changes: EditOptions = { ...taskOptionsFrom({ ...flags, timeout: flags.timeout === "none" ? undefined : flags.timeout }) };
        if (flags.timeout === "none") changes.timeoutS = null;
        const argFile = text(flags.argFile);
        if (argFile !== undefined) changes.argFilePath = argFile;
        const { client, taskId } = await connectToTask(context, flags);
        const task = await client.editTask(taskId, changes);
        context.io.stdout(context.json ? json(task) : `Changed task ${task.task_id} (${task.status}, priority ${task.priority}).\n`);
      }),
    );

  cli
    .command("hold [task]", "Keep a queued task from starting, until released")
    .option("--task-id <id>", "The task (queued)")
    .action(taskAction((client, id) => client.holdTask(id), (task, command) => `Task ${task.task_id} is held; start it again with: ${command} release ${task.short_id}`));

  cli
    .command("release [task]", "Let a held task start")
    .option("--task-id <id>", "The task (held)")
    .action(taskAction((client, id) => client.releaseTask(id), (task) => `Task ${task.task_id} is ${task.status} again.`));

  cli
    .command("pause [task]", "Pause the queue (running tasks go on, nothing new starts), or given a task, suspend it (SIGSTOP to its processes)")
    .option("--task-id <id>", "Suspend this running task (instead of the argument)")
    .action(
      run<TaskCommandOptions>(async (context, options) => {
        if (options.taskId !== undefined || options.positional[0] !== undefined) {
          const { client, taskId } = await connectToTask(context, options);
          const task = await client.suspendTask(taskId);
          return context.io.stdout(context.json ? json(task) : `Suspended task ${task.task_id}; go on with: ${context.command} resume ${task.short_id}\n`);
        }
        const { client } = await context.connect();
        const queue = await client.pauseQueue();
        context.io.stdout(
          context.json ? json(queue) : `Paused the queue: ${queue.counts.running} running task(s) go on, ${queue.counts.queued} queued wait; go on with: ${context.command} resume\n`,
        );
      }),
    );

  cli
    .command("resume [task]", "Resume the queue, or given a task, let a suspended task go on")
    .option("--task-id <id>", "Resume this suspended task (instead of the argument)")
    .action(
      run<TaskCommandOptions>(async (context, options) => {
        if (options.taskId !== undefined || options.positional[0] !== undefined) {
          const { client, taskId } = await connectToTask(context, options);
          const task = await client.resumeTask(taskId);
          return context.io.stdout(context.json ? json(task) : `Resumed task ${task.task_id}.\n`);
        }
        const { client } = await context.connect();
        const queue = await client.resumeQueue();
        context.io.stdout(context.json ? json(queue) : `Resumed the queue: ${queue.counts.queued} queued task(s) may start.\n`);
      }),
    );

  cli
    .command("queue", "Show the queue (paused or not, concurrency, tasks by state, slots), or change its concurrency")
    .option("--concurrency <n>", "How many tasks run at once, from now until the server stops")
    .action(
      run<{ concurrency?: unknown }>(async (context, options) => {
        const { client } = await context.connect();
        const queue =
          options.concurrency === undefined ? await client.getQueue() : await client.setConcurrency(wholeNumber("--concurrency", options.concurrency, 1));
        context.io.stdout(context.json ? json(queue) : describeQueue(queue, context.command));
      }),
    );

  /** A command that does one thing to one task and says what it is now. */
  function taskAction(act: (client: CubQueueClient, id: string) => Promise<Task>, say: (task: Task, command: string) => string) {
    return run<TaskCommandOptions>(async (context, options) => {
      const { client, taskId } = await connectToTask(context, options);
      const task = await act(client, taskId);
      context.io.stdout(context.json ? json(task) : `${say(task, context.command)}\n`);
    });
  }
}

function describeQueue(queue: Queue, command: string): string {
  const gpus = queue.gpus.total.length === 0 ? "none" : `${queue.gpus.total.length - queue.gpus.free.length} of ${queue.gpus.total.length} in use (free: ${queue.gpus.free.join(",") || "none"})`;
  const lines = [
    `queue:       ${queue.paused ? `paused (running tasks go on; nothing new starts until \`${command} resume\`)` : "running"}`,
    `concurrency: ${queue.concurrency}`,
    `cpus:        ${queue.cpus.used} of ${queue.cpus.total} in use`,
    `gpus:        ${gpus}`,
    "",
  ].join("\n");
  const counts = Object.entries(queue.counts).map(([status, count]) => [status, String(count)]);
  return lines + table(["STATE", "TASKS"], counts);
}
