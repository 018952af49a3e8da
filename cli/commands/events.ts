import type { CAC } from "cac";
import { FINISHED, type TaskEvent, type TaskStatus } from "../../src/client/index.ts";
import { text } from "../cli-error.ts";
import type { CommandContext } from "../context.ts";
import { keyValues } from "../option-values.ts";
import { formatTime } from "../output.ts";
import type { CommandRunner } from "../program.ts";
import { givenTask, resolveTaskId } from "../task-ref.ts";

interface EventsFlags {
  taskId?: unknown;
  script?: unknown;
  tag?: unknown;
  positional: unknown[];
}

export function registerEventsCommand(cli: CAC, run: CommandRunner) {
  cli
    .command("events [task]", "Print task events as they happen (submitted, state changes, progress), until Ctrl-C; given a task, until it finishes")
    .option("--task-id <id>", "Only this task's (instead of the argument)")
    .option("--script <name>", "Only those of tasks of this script")
    .option("--tag <KEY=VALUE>", "Only those of tasks with this tag (repeatable: all must match)")
    .example("cubqueue events --tag project=beta")
    .example("cubqueue events --json | jq .")
    .action(run(printEvents));
}

/** One line per event, as it comes; under --json one JSON object per line. */
async function printEvents(context: CommandContext, flags: EventsFlags) {
  const one = flags.taskId !== undefined || flags.positional[0] !== undefined;
  const { client } = await context.connect();
  const taskId = one ? await resolveTaskId(client, givenTask(flags), context.command) : undefined;
  const tags = flags.tag === undefined ? undefined : keyValues("--tag", flags.tag, "project=beta");
  const stop = new AbortController();
  // A task that has already finished has nothing more to tell: read once the stream listens, so no end is missed.
  const endedBefore = (id: string) =>
    void client.getTaskStatus(id).then(
      (task) => {
        if (!FINISHED.includes(task.status)) return;
        if (!context.json) context.io.stderr(`Task ${task.short_id} has finished (${task.status}); it has no more events.\n`);
        stop.abort();
      },
      () => stop.abort(),
    );
  const onOpen = taskId === undefined ? undefined : () => endedBefore(taskId);
  for await (const event of client.events({ taskId, script: text(flags.script), tags, signal: stop.signal, onOpen })) {
    context.io.stdout(context.json ? `${JSON.stringify(event)}\n` : `${describeEvent(event)}\n`);
    if (taskId !== undefined && event.type === "transition" && FINISHED.includes(event.to as TaskStatus)) return;
  }
}

/** "2026-12-07 01:35:17  3f2a9c1d  queued → running". */
function describeEvent(event: TaskEvent): string {
  if (event.type === "gap") return `(events were missed: ${event.reason}; check the tasks with list)`;
  const what =
    event.type === "submitted"
      ? `submitted (${event.status})`
      : event.type === "transition"
        ? `${event.from} → ${event.to}`
        : `progress ${event.progress}%${event.message ? ` ${event.message}` : ""}`;
  return `${formatTime(event.at)}  ${event.task_id.slice(0, 8)}  ${what}${event.attempt > 1 ? ` (attempt ${event.attempt})` : ""}`;
}
