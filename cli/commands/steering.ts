import type { CAC } from "cac";
import type { EditOptions, Queue, Task } from "../../src/client/index.ts";
import { requireOption, text } from "../cli-error.ts";
import type { CommandContext } from "../context.ts";
import { json, table } from "../output.ts";
import type { CommandRunner } from "../program.ts";
import { wholeNumber } from "../option-values.ts";
import { taskOptionsFrom, withTaskFlags, type TaskFlags } from "../task-options.ts";

const taskIdOf = (options: { taskId?: unknown }) => requireOption(text(options.taskId), "--task-id", "the task's id");

export function registerSteeringCommands(cli: CAC, run: CommandRunner) {
  withTaskFlags(
    cli.command("edit", "Change a task that has not started: priority, dependencies, retries, time limit, slots, variables or argument file"),
    { editing: true },
  )
    .option("--task-id <id>", "The task (queued or held)")
    .option("--arg-file <path>", "A new JSON argument file; its <file1>, <file2>, … name the task's files")
    .example("cubqueue edit --task-id 3f2a… --priority 100")
    .example("cubqueue edit --task-id 3f2a… --after 9c1d… --timeout none")
    .action(
      run<TaskFlags & { taskId?: unknown; argFile?: unknown }>(async (context, flags) => {
        const id = taskIdOf(flags);
        const changes: EditOptions = { ...taskOptionsFrom({ ...flags, timeout: flags.timeout === "none" ? undefined : flags.timeout }) };
        if (flags.timeout === "none") changes.timeoutS = null;
        const argFile = text(flags.argFile);
        if (argFile !== undefined) changes.argFilePath = argFile;
        const { client } = await context.connect();
        const task = await client.editTask(id, changes);
        context.io.stdout(context.json ? json(task) : `Changed task ${task.task_id} (${task.status}, priority ${task.priority}).\n`);
      }),
    );

  cli
    .command("hold", "Keep a queued task from starting, until released")
    .option("--task-id <id>", "The task (queued)")
    .action(taskAction((client, id) => client.holdTask(id), (task) => `Task ${task.task_id} is held; start it again with: cubqueue release --task-id ${task.task_id}`));

  cli
    .command("release", "Let a held task start")
    .option("--task-id <id>", "The task (held)")
    .action(taskAction((client, id) => client.releaseTask(id), (task) => `Task ${task.task_id} is ${task.status} again.`));

  cli
    .command("pause", "Pause the queue (running tasks go on, nothing new starts), or with --task-id suspend a running task")
    .option("--task-id <id>", "Suspend this running task instead (SIGSTOP to its processes)")
    .action(
      run<{ taskId?: unknown }>(async (context, options) => {
        const id = text(options.taskId);
        const { client } = await context.connect();
        if (id !== undefined) {
          const task = await client.suspendTask(id);
          return context.io.stdout(context.json ? json(task) : `Suspended task ${task.task_id}; go on with: cubqueue resume --task-id ${task.task_id}\n`);
        }
        const queue = await client.pauseQueue();
        context.io.stdout(
          context.json ? json(queue) : `Paused the queue: ${queue.counts.running} running task(s) go on, ${queue.counts.queued} queued wait; go on with: cubqueue resume\n`,
        );
      }),
    );

  cli
    .command("resume", "Resume the queue, or with --task-id a suspended task")
    .option("--task-id <id>", "Resume this suspended task instead")
    .action(
      run<{ taskId?: unknown }>(async (context, options) => {
        const id = text(options.taskId);
        const { client } = await context.connect();
        if (id !== undefined) {
          const task = await client.resumeTask(id);
          return context.io.stdout(context.json ? json(task) : `Resumed task ${task.task_id}.\n`);
        }
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
        context.io.stdout(context.json ? json(queue) : describeQueue(queue));
      }),
    );

  /** A command that does one thing to one task and says what it is now. */
  function taskAction(act: (client: Awaited<ReturnType<CommandContext["connect"]>>["client"], id: string) => Promise<Task>, say: (task: Task) => string) {
    return run<{ taskId?: unknown }>(async (context, options) => {
      const id = taskIdOf(options);
      const { client } = await context.connect();
      const task = await act(client, id);
      context.io.stdout(context.json ? json(task) : `${say(task)}\n`);
    });
  }
}

function describeQueue(queue: Queue): string {
  const gpus = queue.gpus.total.length === 0 ? "none" : `${queue.gpus.total.length - queue.gpus.free.length} of ${queue.gpus.total.length} in use (free: ${queue.gpus.free.join(",") || "none"})`;
  const lines = [
    `queue:       ${queue.paused ? "paused (running tasks go on; nothing new starts until `cubqueue resume`)" : "running"}`,
    `concurrency: ${queue.concurrency}`,
    `cpus:        ${queue.cpus.used} of ${queue.cpus.total} in use`,
    `gpus:        ${gpus}`,
    "",
  ].join("\n");
  const counts = Object.entries(queue.counts).map(([status, count]) => [status, String(count)]);
  return lines + table(["STATE", "TASKS"], counts);
}
