import { open } from "node:fs/promises";
import {
  claimNextQueuedTask,
  finishAttempt,
  findTaskRow,
  listRunningTasks,
  markCancelRequested,
  recordAttemptPid,
  type TaskOutcome,
} from "../db/queries/tasks.ts";
import type { Database } from "../db/open.ts";
import { TaskStatus, type TaskRow } from "../db/schema.ts";
import type { Layout } from "../store/layout.ts";
import type { Executor, ProcessExit, RunningProcess } from "./executor.ts";
import { commandFor, type Interpreters } from "./interpreters.ts";

export interface RunnerOptions {
  db: Database;
  layout: Layout;
  executor: Executor;
  interpreters: Interpreters;
  concurrency: number;
  killGraceMs: number;
  /** The environment tasks inherit, before the CUBQUEUE_* variables are added. */
  baseEnv: Readonly<Record<string, string | undefined>>;
  /** Where background failures are reported; the runner never throws them. */
  onError: (error: unknown, taskId?: string) => void;
  now?: () => Date;
}

interface ActiveRun {
  attemptNumber: number;
  process: RunningProcess | undefined;
  /** Settles once the task's final state is written. */
  finished: Promise<void>;
  stopReason?: string;
}

export type Runner = ReturnType<typeof createRunner>;

/**
 * Owns the task lifecycle: claims queued tasks up to the concurrency limit,
 * launches them through the executor, records how they end, and cancels them.
 * It is driven by events only (a submit, a task ending, a cancel); an idle
 * queue costs nothing. Every state change is written to the database before
 * the runner acts on it.
 */
export function createRunner(options: RunnerOptions) {
  const { db, layout, executor, interpreters, killGraceMs, onError } = options;
  const now = options.now ?? (() => new Date());
  const active = new Map<string, ActiveRun>();
  const concurrency = options.concurrency;
  let filling = false;
  let fillAgain = false;
  let stopping = false;

  /** Starts queued tasks while there is room. Safe to call any number of times. */
  function wake(): void {
    if (stopping) return;
    if (filling) {
      fillAgain = true;
      return;
    }
    filling = true;
    void fill()
      .catch((error) => onError(error))
      .finally(() => {
        filling = false;
        if (fillAgain) {
          fillAgain = false;
          wake();
        }
      });
  }

  async function fill(): Promise<void> {
    while (!stopping && active.size < concurrency) {
      const claimed = await claimNextQueuedTask(db, executor.name, now());
      if (!claimed) return;
      startRun(claimed.task, claimed.attemptNumber);
    }
  }

  function startRun(task: TaskRow, attemptNumber: number): void {
    let settle!: () => void;
    const run: ActiveRun = { attemptNumber, process: undefined, finished: new Promise((resolve) => (settle = resolve)) };
    active.set(task.id, run);
    void runToEnd(task, run)
      .catch((error) => onError(error, task.id))
      .finally(() => {
        active.delete(task.id);
        settle();
        wake();
      });
  }

  async function runToEnd(task: TaskRow, run: ActiveRun): Promise<void> {
    let exit: ProcessExit;
    try {
      const process = await launch(task);
      run.process = process;
      await recordAttemptPid(db, task.id, run.attemptNumber, process.pid);
      // A cancel or stop may have arrived while the process was starting.
      if ((await findTaskRow(db, task.id))?.cancelRequestedAt) run.stopReason ??= "cancelled on request";
      if (run.stopReason) terminate(run);
      exit = await process.exited;
    } catch (error) {
      await finishAttempt(db, task.id, run.attemptNumber, {
        status: TaskStatus.failed,
        error: `could not start the script: ${(error as Error).message}`,
        exitCode: null,
        signal: null,
        finishedAt: now(),
      });
      return;
    }
    await finishAttempt(db, task.id, run.attemptNumber, await outcomeOf(task.id, run, exit));
  }

  async function launch(task: TaskRow): Promise<RunningProcess> {
    const paths = layout.taskPaths(task.id);
    const scriptPath = paths.script(task.scriptFilename);
    const command = commandFor(scriptPath, await readFirstLine(scriptPath), [paths.argFile], interpreters);
    return executor.launch({
      taskId: task.id,
      cwd: paths.dir,
      command,
      logFile: paths.logFile,
      env: {
        ...definedOnly(options.baseEnv),
        // Scripts' output should reach the log as it is written, not when a buffer fills.
        PYTHONUNBUFFERED: "1",
        CUBQUEUE_TASK_ID: task.id,
        CUBQUEUE_TASK_DIR: paths.dir,
        CUBQUEUE_ARG_FILE: paths.argFile,
        CUBQUEUE_FILES_DIR: paths.filesDir,
        CUBQUEUE_METADATA_DIR: paths.metadataDir,
        CUBQUEUE_OUTPUT_DIR: paths.outputDir,
      },
    });
  }

  async function outcomeOf(taskId: string, run: ActiveRun, exit: ProcessExit): Promise<TaskOutcome> {
    const finishedAt = now();
    const base = { exitCode: exit.exitCode, signal: exit.signal, finishedAt };
    const row = await findTaskRow(db, taskId);
    if (row?.cancelRequestedAt) return { ...base, status: TaskStatus.cancelled, error: "cancelled on request" };
    if (run.stopReason) return { ...base, status: TaskStatus.failed, error: run.stopReason };
    if (exit.exitCode === 0) return { ...base, status: TaskStatus.succeeded, error: null };
    const how = exit.signal ? `was killed by signal ${exit.signal}` : `exited with code ${exit.exitCode}`;
    return { ...base, status: TaskStatus.failed, error: `the script ${how}` };
  }

  /** TERM to the task's process group, then KILL if it is still there after the grace period. */
  function terminate(run: ActiveRun): void {
    const process = run.process;
    if (!process) return; // still starting: runToEnd calls again once it has a pid
    process.signal("SIGTERM");
    const timer = setTimeout(() => process.signal("SIGKILL"), killGraceMs);
    void process.exited.then(() => {
      clearTimeout(timer);
      // Children that ignored TERM and outlived the script itself.
      process.signal("SIGKILL");
    });
  }

  return {
    /**
     * Marks tasks left "running" by a previous server as failed (nothing watched
     * them end), then starts what is queued.
     */
    async start(): Promise<void> {
      for (const { task, attempt } of await listRunningTasks(db)) {
        const pid = attempt?.pid ? ` (pid ${attempt.pid})` : "";
        await finishAttempt(db, task.id, task.attemptCount, {
          status: TaskStatus.failed,
          error: `the server stopped while the task was running${pid}; its outcome is unknown`,
          exitCode: null,
          signal: null,
          finishedAt: now(),
        });
      }
      wake();
    },

    wake,

    get runningCount() {
      return active.size;
    },

    /**
     * Cancels a running task: the request is recorded first, then the process
     * group is signalled. Resolves once the task's final state is written (or
     * at once, if the task was claimed but has no process yet: it is then
     * stopped as soon as it starts). Returns false when the task is not running.
     */
    async cancelRunning(taskId: string): Promise<boolean> {
      if (!(await markCancelRequested(db, taskId, now()))) return false;
      const run = active.get(taskId);
      if (run) {
        run.stopReason ??= "cancelled on request";
        terminate(run);
        await run.finished;
      }
      return true;
    },

    /** Stops taking tasks and ends the running ones, recording why. */
    async stop(): Promise<void> {
      stopping = true;
      const runs = [...active.values()];
      for (const run of runs) {
        run.stopReason ??= "the server was stopped while the task was running";
        terminate(run);
      }
      await Promise.all(runs.map((run) => run.finished));
    },
  };
}

async function readFirstLine(path: string): Promise<string> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(512);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const text = buffer.subarray(0, bytesRead).toString("utf8");
    return text.split(/\r?\n/, 1)[0] ?? "";
  } finally {
    await handle.close();
  }
}

function definedOnly(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) result[key] = value;
  return result;
}
