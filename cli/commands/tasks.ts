import type { CAC } from "cac";
import { TASK_STATUSES, type Task, type TaskStatus } from "../../src/client/index.ts";
import { CliError, requireOption, text } from "../cli-error.ts";
import type { CommandContext } from "../context.ts";
import { formatBytes, formatDuration, formatTime, json, table } from "../output.ts";
import type { CommandRunner } from "../program.ts";
import { parseDurationSeconds } from "../duration.ts";
import { choice, durationSeconds, wholeNumber } from "../option-values.ts";

const STATUSES: readonly TaskStatus[] = TASK_STATUSES;
const taskIdOf = (options: { taskId?: unknown }) => requireOption(text(options.taskId), "--task-id", "the task's id");

export function registerTaskCommands(cli: CAC, run: CommandRunner) {
  cli
    .command("list", "List tasks, newest first")
    .option("--status <status>", `Only tasks in this state (${STATUSES.join(", ")})`)
    .option("--script <name>", "Only tasks of this script")
    .option("--limit <n>", "How many (1-1000)", { default: 50 })
    .action(run(listTasks));

  cli
    .command("status", "Show a task's status")
    .option("--task-id <id>", "The task")
    .action(
      run<{ taskId?: unknown }>(async (context, options) => {
        const { client } = await context.connect();
        const task = await client.getTaskStatus(taskIdOf(options));
        context.io.stdout(context.json ? json(task) : describeTask(task));
      }),
    );

  cli
    .command("log", "Print the last lines of a task's log")
    .option("--task-id <id>", "The task")
    .option("--lines <n>", "How many lines, 1 to 100000", { default: 100 })
    .option("--attempt <n>", "Which attempt's log (1 for the first run; default: the latest)")
    .action(
      run<{ taskId?: unknown; lines?: unknown; attempt?: unknown }>(async (context, options) => {
        const taskId = taskIdOf(options);
        const lines = wholeNumber("--lines", options.lines, 1, 100_000);
        const attempt = options.attempt === undefined ? undefined : wholeNumber("--attempt", options.attempt, 1);
        const { client } = await context.connect();
        const log = await client.getTaskLogTail(taskId, lines, { attempt });
        const { content, bytes, truncated } = log;
        context.io.stdout(context.json ? json({ task_id: taskId, attempt: log.attempt, lines, content, bytes, truncated }) : content);
        if (truncated) {
          context.io.stderr(`Note: the last ${lines} lines of the log hold more than 1 MiB; shown are only its last ${bytes} bytes.\n`);
        }
      }),
    );

  cli
    .command("cancel", "Cancel a queued or running task")
    .option("--task-id <id>", "The task")
    .action(
      run<{ taskId?: unknown }>(async (context, options) => {
        const { client } = await context.connect();
        const task = await client.cancelTask(taskIdOf(options));
        context.io.stdout(context.json ? json(task) : `Cancelled task ${task.task_id} (${task.error ?? task.status}).\n`);
      }),
    );

  cli
    .command("restart", "Run a finished task again, as its next attempt, with its files and optionally a new argument file")
    .option("--task-id <id>", "The task (succeeded, failed or cancelled)")
    .option("--arg-file <path>", "A new JSON argument file; its <file1>, <file2>, … name the task's files")
    .action(
      run<{ taskId?: unknown; argFile?: unknown }>(async (context, options) => {
        const { client } = await context.connect();
        const task = await client.restartTask(taskIdOf(options), { argFilePath: text(options.argFile) });
        context.io.stdout(context.json ? json(task) : `Restarted task ${task.task_id}: attempt ${task.attempts + 1} is queued.\n`);
      }),
    );

  cli
    .command("delete", "Delete a finished task: its record and its whole folder (output, metadata, logs)")
    .option("--task-id <id>", "The task (succeeded, failed or cancelled)")
    .action(
      run<{ taskId?: unknown }>(async (context, options) => {
        const { client } = await context.connect();
        const task = await client.deleteTask(taskIdOf(options));
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

  cli
    .command("wait", "Wait until a task has finished; exits 0 only if it succeeded")
    .option("--task-id <id>", "The task")
    .option("--timeout <duration>", "Give up after this long (e.g. 90, 30s, 2h)")
    .action(
      run<{ taskId?: unknown; timeout?: unknown }>(async (context, options) => {
        const { client } = await context.connect();
        const timeoutMs = options.timeout === undefined ? undefined : durationSeconds("--timeout", options.timeout, 0) * 1000;
        const task = await client.waitForTask(taskIdOf(options), { timeoutMs });
        context.io.stdout(context.json ? json(task) : describeTask(task));
        if (task.status !== "succeeded") throw new CliError(`Task ${task.task_id} ${task.status}${task.error ? `: ${task.error}` : ""}.`);
      }),
    );
}

async function listTasks(context: CommandContext, options: { status?: unknown; script?: unknown; limit?: unknown }) {
  const status = options.status === undefined ? undefined : choice("--status", options.status, STATUSES);
  const limit = wholeNumber("--limit", options.limit, 1, 1000);
  const { client } = await context.connect();
  const page = await client.listTasksPage({ status, script: text(options.script), limit });
  if (context.json) return context.io.stdout(json(page));
  if (page.tasks.length === 0) {
    return context.io.stdout(status || options.script ? "No tasks match.\n" : `No tasks yet; submit one with \`${context.command} submit\`.\n`);
  }
  context.io.stdout(
    table(
      ["TASK ID", "SCRIPT", "STATUS", "CREATED", "DURATION", "EXIT"],
      page.tasks.map((task) => [task.task_id, task.script_name, task.status, formatTime(task.created_at), duration(task), exit(task)]),
    ),
  );
  if (page.next_cursor) context.io.stdout(`(showing the newest ${page.tasks.length}; use --limit for more)\n`);
}

function describeTask(task: Task): string {
  const rows: Array<[string, string]> = [
    ["task", task.task_id],
    ["script", scriptLine(task)],
    ["status", task.status],
    ["created", formatTime(task.created_at)],
    ["started", formatTime(task.started_at)],
    ["finished", formatTime(task.finished_at)],
    ["duration", duration(task)],
    ["exit", exit(task)],
  ];
  if (task.error) rows.push(["error", task.error]);
  if (task.priority !== 0) rows.push(["priority", String(task.priority)]);
  for (const dependency of task.dependencies) {
    const how = dependency.kind === "afterok" ? "its success" : "its end";
    rows.push(["after", `${dependency.task_id} (${how}; it is ${dependency.status ?? "deleted"})`]);
  }
  if (task.waiting_for.length > 0) rows.push(["waits for", task.waiting_for.join(", ")]);
  if (task.array_id) rows.push(["array", task.array_id]);
  if (task.cpus !== 1 || task.gpus !== 0) rows.push(["slots", slotsLine(task)]);
  for (const [name, value] of Object.entries(task.env)) rows.push(["env", `${name}=${value}`]);
  rows.push(["attempts", attemptsLine(task)]);
  if (task.timeout_s !== null) rows.push(["timeout", formatDuration(task.timeout_s * 1000)]);
  if (task.slurm_job_id !== null) rows.push(["slurm", `job ${task.slurm_job_id}`]);
  if (task.slurm_options.length > 0) rows.push(["sbatch", task.slurm_options.join(" ")]);
  if (task.next_attempt_at) rows.push(["next try", formatTime(task.next_attempt_at)]);
  if (task.attempt_history.length > 1) {
    for (const attempt of task.attempt_history) rows.push([`#${attempt.number}`, attemptLine(attempt)]);
  }
  for (const file of task.files) rows.push([file.placeholder, `${file.name} (${formatBytes(file.size)}, sha256 ${file.sha256})`]);
  return rows.map(([key, value]) => `${`${key}:`.padEnd(10)}${value}`).join("\n") + "\n";
}

/** "align, version 2 (sha256 …)": the version the task was given; older tasks have none on record. */
function scriptLine(task: Task): string {
  if (task.script_version === null) return task.script_name;
  return `${task.script_name}, version ${task.script_version}${task.script_sha256 ? ` (sha256 ${task.script_sha256})` : ""}`;
}

/** "4 CPUs, 1 GPU (now: 2)": what each attempt takes, and the GPUs the latest one holds. */
function slotsLine(task: Task): string {
  const held = task.attempt_history.at(-1)?.gpu_ids;
  const gpus = task.gpus === 0 ? "" : `, ${task.gpus} GPU${task.gpus === 1 ? "" : "s"}${held && held.length > 0 ? ` (now: ${held.join(",")})` : ""}`;
  return `${task.cpus} CPU${task.cpus === 1 ? "" : "s"}${gpus}`;
}

/** "2 (retries: up to 3, 30s apart, doubling)". */
function attemptsLine(task: Task): string {
  if (task.max_retries === 0) return String(task.attempts);
  const delay = task.retry_delay_s > 0 ? `, ${formatDuration(task.retry_delay_s * 1000)} apart${task.retry_backoff ? ", doubling" : ""}` : "";
  return `${task.attempts} (retries: up to ${task.max_retries}${delay})`;
}

/** One attempt of the history: when, how it ended, and where its log is. */
function attemptLine(attempt: Task["attempt_history"][number]): string {
  const end = attempt.finished_at ? (attempt.error ?? "succeeded") : "running";
  return `${formatTime(attempt.started_at)}  ${end}  (${attempt.log ?? "never started, no log"})`;
}

function duration(task: Task): string {
  if (!task.started_at) return "-";
  const end = task.finished_at ? Date.parse(task.finished_at) : Date.now();
  return formatDuration(end - Date.parse(task.started_at));
}

function exit(task: Task): string {
  if (task.signal) return task.signal;
  return task.exit_code === null ? "-" : String(task.exit_code);
}
