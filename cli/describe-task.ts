import type { Task } from "../src/client/index.ts";
import { formatBytes, formatDuration, formatTime } from "./output.ts";

/** A task as `status` and `wait` show it: one "key: value" line per thing known about it. */
export function describeTask(task: Task): string {
  const rows: Array<[string, string]> = [
    ["task", task.task_id],
    ...(task.name === null ? [] : ([["name", task.name]] as Array<[string, string]>)),
    ["script", scriptLine(task)],
    ["status", task.status],
    ["created", formatTime(task.created_at)],
    ["started", formatTime(task.started_at)],
    ["finished", formatTime(task.finished_at)],
    ["duration", duration(task)],
    ["exit", exit(task)],
  ];
  if (task.error) rows.push(["error", task.error]);
  if (task.progress) rows.push(["progress", progressText(task)]);
  for (const [key, value] of Object.entries(task.tags)) rows.push(["tag", `${key}=${value}`]);
  if (task.notify_url) rows.push(["notify", `${task.notify_url} (${task.notify_on === "all" ? "every change" : "when it finishes"})`]);
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

/** "42% aligning chr7", or "-" before the task said. */
export function progressText(task: Task): string {
  if (!task.progress) return "-";
  return `${Math.round(task.progress.percent * 10) / 10}%${task.progress.message ? ` ${task.progress.message}` : ""}`;
}

export function duration(task: Task): string {
  if (!task.started_at) return "-";
  const end = task.finished_at ? Date.parse(task.finished_at) : Date.now();
  return formatDuration(end - Date.parse(task.started_at));
}

export function exit(task: Task): string {
  if (task.signal) return task.signal;
  return task.exit_code === null ? "-" : String(task.exit_code);
}
