import { spawn } from "node:child_process";
import { FINISHED_STATUSES, type TaskStatus } from "../db/schema.ts";
import type { TaskEvent } from "../events/event-hub.ts";
import type { TaskView } from "../tasks/task-view.ts";
import { deliver } from "./webhook.ts";

export interface NotifierOptions {
  /** The server's own URL to tell (start --notify-url), and when. */
  serverUrl?: string;
  serverOn?: "finish" | "all";
  /** A shell command run when a task finishes (start --on-finish), with the task in its environment. */
  onFinishCommand?: string;
  /** The task's record, as the API shows it; undefined once it is deleted. */
  taskRecord(taskId: string): Promise<TaskView | undefined>;
  /** The environment the command gets (the server's, without its secrets). */
  baseEnv: Readonly<Record<string, string | undefined>>;
  /** Where outcomes are said: a failing receiver, a command's output. */
  log(message: string): void;
}

/** How long an --on-finish command may run before it is killed. */
const COMMAND_TIME_LIMIT_MS = 5 * 60_000;

export type Notifier = ReturnType<typeof createNotifier>;

/**
 * Tells the outside world of tasks that finish (or change state): each task's
 * own notify_url, the server's --notify-url, and the --on-finish command. It
 * runs beside the runner, fed by the event stream, and never holds it up: a
 * receiver that fails is tried again a few times, then logged. Deliveries of
 * one task go out in order. What is still being tried when the server stops
 * is not sent.
 */
export function createNotifier(options: NotifierOptions) {
  /** Tasks with a notify_url of their own, and when to call it (known at submission, and read at start). */
  const targets = new Map<string, { url: string; on: "finish" | "all" }>();
  /** The last delivery of each task, so the next one waits for it. */
  const chains = new Map<string, Promise<void>>();

  function wanted(event: TaskEvent & { type: "transition" }): { urls: string[]; command: boolean; finished: boolean } {
    const finished = FINISHED_STATUSES.includes(event.to as TaskStatus);
    const target = targets.get(event.taskId);
    const urls = [
      ...(target && (finished || target.on === "all") ? [target.url] : []),
      ...(options.serverUrl && (finished || options.serverOn === "all") ? [options.serverUrl] : []),
    ];
    return { urls, command: finished && options.onFinishCommand !== undefined, finished };
  }

  async function notify(event: TaskEvent & { type: "transition" }, urls: string[], command: boolean, finished: boolean): Promise<void> {
    const record = await options.taskRecord(event.taskId).catch(() => undefined);
    if (!record) return;
    const body = { event: finished ? "finish" : "transition", from: event.from, to: event.to, at: event.at.toISOString(), task: record };
    await Promise.all([
      ...urls.map(async (url) => {
        const outcome = await deliver({ url, event: body.event, body });
        if (!outcome.ok) options.log(`notify: ${url} was not told of task ${event.taskId} (${event.to}) after ${outcome.tries} tries: ${outcome.reason}`);
      }),
      ...(command ? [runCommand(options.onFinishCommand!, record)] : []),
    ]);
  }

  function runCommand(command: string, task: TaskView): Promise<void> {
    return new Promise((resolve) => {
      const child = spawn("/bin/sh", ["-c", command], {
        env: { ...options.baseEnv, ...commandEnvironment(task) },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      const collect = (chunk: Buffer) => {
        // Enough to say what went wrong; the rest is dropped.
        if (output.length < 4096) output += chunk.toString("utf8");
      };
      child.stdout.on("data", collect);
      child.stderr.on("data", collect);
      const timer = setTimeout(() => child.kill("SIGKILL"), COMMAND_TIME_LIMIT_MS);
      child.once("error", (error) => {
        clearTimeout(timer);
        options.log(`on-finish: could not run the command for task ${task.task_id}: ${error.message}`);
        resolve();
      });
      child.once("close", (code, signal) => {
        clearTimeout(timer);
        const said = output.trim() ? `: ${output.trim().split("\n").join(" | ")}` : "";
        if (code !== 0) options.log(`on-finish: the command for task ${task.task_id} ${signal ? `was killed (${signal})` : `exited with ${code}`}${said}`);
        else if (said) options.log(`on-finish (task ${task.task_id})${said}`);
        resolve();
      });
    });
  }

  return {
    /** A task that has a notify_url of its own (submitted so, or found at start). */
    track(taskId: string, url: string | null, on: "finish" | "all"): void {
      if (url) targets.set(taskId, { url, on });
    },

    /** Fed every event of the hub. */
    observe(event: TaskEvent): void {
      if (event.type !== "transition") return;
      const { urls, command, finished } = wanted(event);
      if (finished || event.to === "deleted") targets.delete(event.taskId);
      if (urls.length === 0 && !command) return;
      const previous = chains.get(event.taskId) ?? Promise.resolve();
      const next = previous.then(() => notify(event, urls, command, finished)).catch((error) => options.log(`notify: ${String(error)}`));
      chains.set(event.taskId, next);
      void next.then(() => {
        if (chains.get(event.taskId) === next) chains.delete(event.taskId);
      });
    },
  };
}

/** The task as the --on-finish command sees it. */
function commandEnvironment(task: TaskView): Record<string, string> {
  return {
    CUBQUEUE_TASK_ID: task.task_id,
    CUBQUEUE_TASK_STATUS: task.status,
    CUBQUEUE_TASK_EXIT_CODE: task.exit_code === null ? "" : String(task.exit_code),
    CUBQUEUE_TASK_SIGNAL: task.signal ?? "",
    CUBQUEUE_TASK_ERROR: task.error ?? "",
    CUBQUEUE_TASK_SCRIPT: task.script_name,
    CUBQUEUE_TASK_NAME: task.name ?? "",
    CUBQUEUE_TASK_JSON: JSON.stringify(task),
  };
}
