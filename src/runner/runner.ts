import { rm } from "node:fs/promises";
import { listStartCandidates, readQueuePaused, writeQueuePaused } from "../db/queries/queue.ts";
import { earliestRetryDue, lastLaunchedAttemptBefore, listRunningTasks } from "../db/queries/tasks.ts";
import type { Database } from "../db/open.ts";
import { TaskStatus, type TaskRow } from "../db/schema.ts";
import { decideAttemptEnd, type AttemptEnding, type StopReason } from "../lifecycle/attempt-end.ts";
import { policyOf } from "../lifecycle/run-policy.ts";
import { chooseStarts, type FreeSlots } from "../lifecycle/schedule.ts";
import type { ActiveStatus, Transitions } from "../lifecycle/transitions.ts";
import { rotateAttemptLog } from "../store/attempt-logs.ts";
import type { Layout } from "../store/layout.ts";
import { parseStoredHandle } from "./attempt-handle.ts";
import { createProgressWatch } from "./progress-watch.ts";
import { attemptEnvironment, type AttemptSlots } from "./attempt-env.ts";
import type { AttemptHandle, Executor, LaunchedAttempt, RunningAttempt } from "./executor.ts";
import { DEFAULT_BACKOFF, realTimers, retryUntilDone, type Backoff, type Retrying, type Timers } from "./retry.ts";

export interface RunnerOptions {
  /** Read only: the tasks found running at start. */
  db: Database;
  /** Every write of a task's state goes through these. */
  transitions: Transitions;
  layout: Layout;
  /** The first runs new attempts; each adopts, after a restart, the attempts it started. */
  executors: readonly [Executor, ...Executor[]];
  /**
   * This server's instance (see server/instance.ts), recorded with each attempt it starts:
   * at start it takes back only its own, so servers sharing a database leave each other's alone.
   */
  instanceId: string;
  /** How many tasks run at once (changed while running with setConcurrency). */
  concurrency: number;
  /**
   * The CPU slots and the GPUs (by id) this server hands out to its tasks. A task starts
   * only when the slots it asks for are free, and holds them until its attempt is over.
   * With `cpusAtLeastConcurrency`, there are never fewer CPU slots than the concurrency
   * (what a server started without --cpus has): raising it lets that many more start.
   * "executor": the executor's own scheduler (Slurm) decides where and when each fits; the
   * runner only keeps to the concurrency and passes on what each task asks for.
   */
  slots: { cpus: number; gpus: readonly string[]; cpusAtLeastConcurrency?: boolean } | "executor";
  killGraceMs: number;
  /** The environment tasks inherit, before the CUBQUEUE_* variables are added. */
  baseEnv: Readonly<Record<string, string | undefined>>;
  /** Where background failures are reported; the runner never throws them. */
  onError: (error: unknown, taskId?: string) => void;
  /** How a failed database write is retried: a task's last state, or a claim (see retry.ts). */
  retryBackoff?: Backoff;
  timers?: Timers;
}

/**
 * What a cancel of a running task came to: it was cancelled (or is no longer
 * running), its process had already ended on its own, or its process has
 * ended and its outcome cannot be written yet (the database refuses writes,
 * e.g. a full disk) and will be once it can.
 */
export type CancelResult = "cancelled" | "not_running" | "ended" | "finishing";

/**
 * Where a run is: getting its process (launched, or found again), running,
 * settling (its process ended and its outcome is being written), or detached
 * (the server stops and leaves it running: its end is no longer recorded here).
 */
type RunPhase = "starting" | "running" | "settling" | "detached";

interface ActiveRun {
  task: TaskRow;
  attemptNumber: number;
  /** The slots its attempt holds. */
  slots: { cpus: number; gpus: string[] };
  /** When it was suspended, while it is; null while it runs. */
  suspendedAt: Date | null;
  /** How long it was suspended before that: its time limit leaves this out. */
  suspendedMs: number;
  process: RunningAttempt | undefined;
  phase: RunPhase;
  /** Set once the runner was asked to stop it (then, or before a restart of the server). */
  stopReason: StopReason | null;
  /** True for a task found running at start, i.e. started by an earlier server. */
  adopted: boolean;
  /**
   * When the attempt was claimed: its time limit counts from here, across server restarts;
   * or, for one that waited in a scheduler's queue, from when its script began to run.
   */
  startedAt: Date;
  /** The timer of its time limit, if it has one. */
  deadline: unknown;
  /** Settles once the process is recorded and let run (or found again): a state a restart can reconcile. */
  ready: Promise<void>;
  /** Settles once the task's final state is written (or, at a stop, left for the next start). */
  finished: Promise<void>;
  /** The write of the task's final state, once started; retried while the database refuses it. */
  endWrite: Retrying<unknown> | undefined;
  /** Settles when a write of the final state has failed: the run then waits for a retry. */
  endWriteFailed: Promise<void>;
  markEndWriteFailed: () => void;
}

/** How a run gets its process: start a new one, or watch again one an earlier server started. */
type ProcessSource = { kind: "launch" } | { kind: "adopt"; executor: Executor; handle: AttemptHandle; exitFile: string };

/** What a request to suspend or resume a task came to. */
export type SuspendResult = "done" | "not_running" | "starting";

/** The most queued tasks weighed at once for each free place (see fill). */
const CANDIDATES_PER_PLACE = 8;
/**
 * The most places one round of fill weighs candidates for: an executor with no cap on its
 * jobs (Slurm without --max-jobs) has endless free places, and the next round takes the rest.
 */
const PLACES_PER_ROUND = 256;

export type Runner = ReturnType<typeof createRunner>;

/**
 * Owns the task lifecycle: claims queued tasks up to the concurrency limit,
 * launches them through the executor, records how they end, cancels them, and
 * at start reconciles the tasks an earlier server left running. It is driven
 * by events only (a submit, a task ending, a cancel); an idle queue costs
 * nothing. Every state change is written to the database before the runner
 * acts on it, so a crash at any point leaves a state the next start can
 * reconcile.
 */
export function createRunner(options: RunnerOptions) {
  const { db, transitions, layout, executors, instanceId, killGraceMs, onError } = options;
  const [executor] = executors;
  const timers = options.timers ?? realTimers;
  const retryOptions = { backoff: options.retryBackoff ?? DEFAULT_BACKOFF, timers: options.timers ?? realTimers };
  const active = new Map<string, ActiveRun>();
  let concurrency = options.concurrency;
  const localSlots = options.slots === "executor" ? undefined : options.slots;
  const gpuIds = localSlots?.gpus ?? [];
  /** The slots there are in all now (the CPU slots may follow the concurrency); unbounded where the executor decides. */
  const totals = () =>
    localSlots === undefined
      ? { cpus: Number.POSITIVE_INFINITY, gpus: Number.POSITIVE_INFINITY }
      : { cpus: localSlots.cpusAtLeastConcurrency ? Math.max(localSlots.cpus, concurrency) : localSlots.cpus, gpus: gpuIds.length };
  /** Paused: running tasks go on, nothing new starts. Read at start, kept in the database. */
  let paused = false;
  const baseEnv = definedOnly(options.baseEnv);
  let filling: Retrying<void> | undefined;
  let fillAgain = false;
  let stopping = false;
  /** Reads the progress files of running tasks (only while some run). */
  const progress = createProgressWatch({
    timers,
    onChange: (taskId, attempt, said) =>
      transitions.recordProgress(taskId, attempt, said).then(
        () => undefined,
        (error) => onError(error, taskId),
      ),
  });
  /** The wake-up for the first retry still waiting out its delay: the only timer an idle queue can have. */
  let dueWake: { at: number; timer: unknown } | undefined;

  /**
   * Starts queued tasks while there is room. Safe to call any number of times.
   * A claim the database refuses (a full disk) is tried again on a timer, so
   * the queue moves on by itself once the disk has room again.
   */
  function wake(): void {
    if (stopping) return;
    if (filling) {
      fillAgain = true;
      return;
    }
    const current = (filling = retryUntilDone(fill, { ...retryOptions, onFailureStreak: (error) => onError(error) }));
    void current.result.then(() => {
      filling = undefined;
      if (fillAgain) {
        fillAgain = false;
        wake();
      }
    });
  }

  /**
   * Starts what the scheduler chooses (see schedule.ts) among the first queued tasks that may
   * start, until nothing more fits. Each is claimed with a guard, so one that changed since it
   * was read (cancelled, held, edited) is passed over.
   */
  async function fill(): Promise<void> {
    while (!stopping && !paused) {
      const free = freeSlots();
      if (free.tasks <= 0) return;
      const places = Math.min(free.tasks, PLACES_PER_ROUND);
      // Most rounds start the first tasks in line: those alone are read (each row read costs), and
      // the wider window only when one of them cannot start, which then decides as it would have.
      let { listed, starts } = await weigh(free, places);
      if (starts.length < places && listed.length === places) ({ listed, starts } = await weigh(free, places * CANDIDATES_PER_PLACE));
      const hadAttempts = new Set(listed.filter((candidate) => candidate.earlierAttempts > 0).map((candidate) => candidate.id));
      let started = 0;
      for (const start of starts) {
        if (stopping || paused) return;
        // Its last attempt's exit record goes before the next attempt is claimed: a start that finds
        // an attempt claimed but never recorded reads that file, and must not take the last
        // attempt's outcome for this one's (see Executor.startedUnrecorded).
        if (hadAttempts.has(start.id)) await rm(layout.taskPaths(start.id).exitFile, { recursive: true, force: true }).catch(() => {});
        const claimed = await transitions.claim(start.id, { executor: executor.name, owner: instanceId, cpus: start.cpus, gpus: start.gpus });
        if (!claimed) continue;
        startRun(claimed.task, claimed.attemptNumber, claimed.startedAt, { kind: "launch" }, { cpus: start.cpus, gpus: start.gpus });
        started++;
      }
      // Nothing could start: a run's end, a submit or a due retry wakes the queue again.
      if (started === 0) return wakeWhenRetryDue();
    }
  }

  /** The first `limit` queued tasks that may start, and which of them chooseStarts starts. */
  async function weigh(free: FreeSlots, limit: number) {
    const listed = await listStartCandidates(db, instanceId, new Date(), limit);
    // Where the executor places tasks, none waits here for CPUs or GPUs: it asks its scheduler for them.
    const candidates = localSlots === undefined ? listed.map((candidate) => ({ ...candidate, cpus: 0, gpus: 0 })) : listed;
    return { listed, starts: chooseStarts(candidates, free, totals()) };
  }

  /** What is free now: places under the concurrency limit, CPUs, and GPUs no run holds. */
  function freeSlots(): FreeSlots {
    let cpus = totals().cpus;
    const held = new Set<string>();
    for (const run of active.values()) {
      cpus -= run.slots.cpus;
      for (const gpu of run.slots.gpus) held.add(gpu);
    }
    return { tasks: concurrency - active.size, cpus, gpus: gpuIds.filter((gpu) => !held.has(gpu)) };
  }

  /** Nothing is due now: wake when the first waiting retry is. */
  async function wakeWhenRetryDue(): Promise<void> {
    const due = await earliestRetryDue(db, instanceId);
    if (!due || stopping || paused) return;
    if (dueWake && dueWake.at <= due.getTime()) return;
    if (dueWake) timers.clearTimeout(dueWake.timer);
    const wait = Math.min(Math.max(0, due.getTime() - Date.now()), MAX_TIMER_MS);
    dueWake = {
      at: due.getTime(),
      timer: timers.setTimeout(() => {
        dueWake = undefined;
        wake();
      }, wait),
    };
  }

  function startRun(
    task: TaskRow,
    attemptNumber: number,
    startedAt: Date,
    source: ProcessSource,
    slots: { cpus: number; gpus: string[] },
    suspension: { at: Date | null; ms: number } = { at: null, ms: 0 },
  ): void {
    let markReady!: () => void;
    let markFinished!: () => void;
    let markEndWriteFailed!: () => void;
    const run: ActiveRun = {
      task,
      attemptNumber,
      slots,
      suspendedAt: suspension.at,
      suspendedMs: suspension.ms,
      process: undefined,
      phase: "starting",
      stopReason: task.cancelRequestedAt !== null ? "cancel" : null,
      adopted: source.kind === "adopt",
      startedAt,
      deadline: undefined,
      ready: new Promise((resolve) => (markReady = resolve)),
      finished: new Promise((resolve) => (markFinished = resolve)),
      endWrite: undefined,
      endWriteFailed: new Promise((resolve) => (markEndWriteFailed = resolve)),
      markEndWriteFailed: () => markEndWriteFailed(),
    };
    active.set(task.id, run);
    armDeadline(run);
    void runToEnd(run, source, markReady)
      .catch((error) => onError(error, task.id))
      .finally(() => {
        timers.clearTimeout(run.deadline);
        markReady();
        if (isDetached(run)) return;
        // A retry may already run as the next attempt under the same id: only this run leaves.
        if (active.get(task.id) === run) active.delete(task.id);
        markFinished();
        wake();
      });
  }

  async function runToEnd(run: ActiveRun, source: ProcessSource, markReady: () => void): Promise<void> {
    try {
      run.process = source.kind === "adopt" ? await adopt(run, source) : await launchRecorded(run);
    } catch (error) {
      run.phase = "settling";
      await settle(run, { kind: "launch_failed", message: (error as Error).message });
      return;
    } finally {
      markReady();
    }
    run.phase = "running";
    if (run.stopReason) terminate(run);
    else {
      // As the database has it (an earlier server may have stopped between recording and signalling).
      if (run.adopted) (run.suspendedAt ? run.process.suspend() : run.process.resume());
      if (run.process.runningSince) countTimeFrom(run, run.process.runningSince);
    }
    progress.watch(run.task.id, run.attemptNumber, layout.taskPaths(run.task.id).progressFile);
    const exit = await run.process.exited;
    if (isDetached(run)) return;
    // What it said last, before its end is recorded.
    await progress.unwatch(run.task.id);
    timers.clearTimeout(run.deadline);
    run.phase = "settling";
    await settle(run, exit);
  }

  function adopt(run: ActiveRun, { executor, handle, exitFile }: Extract<ProcessSource, { kind: "adopt" }>): Promise<RunningAttempt> {
    return executor.adopt({ taskId: run.task.id, attempt: run.attemptNumber, handle, exitFile });
  }

  /** Launches a task held at its gate, records the process, and only then lets the script run. */
  async function launchRecorded(run: ActiveRun): Promise<RunningAttempt> {
    const process = await launch(run);
    try {
      if (!(await transitions.recordProcess(run.task.id, run.attemptNumber, process.handle))) {
        throw new Error(`the task is no longer running attempt ${run.attemptNumber}`);
      }
    } catch (error) {
      process.abandon();
      throw error;
    }
    // A cancel that came while it was starting: the script need never run.
    if (run.stopReason) process.abandon();
    else process.release();
    return process;
  }

  async function launch(run: ActiveRun): Promise<LaunchedAttempt> {
    const { task, attemptNumber } = run;
    const paths = layout.taskPaths(task.id);
    if (attemptNumber > 1) {
      await rotateAttemptLog(paths, await lastLaunchedAttemptBefore(db, task.id, attemptNumber));
      // An earlier attempt's progress is not this one's.
      await rm(paths.progressFile, { recursive: true, force: true });
    }
    // The executor's scheduler gives GPUs where it places tasks; here, the runner does.
    const slots: AttemptSlots = localSlots === undefined ? { cpus: task.cpus, gpus: null } : { cpus: run.slots.cpus, gpus: run.slots.gpus };
    return executor.launch({
      taskId: task.id,
      attempt: attemptNumber,
      dir: paths.dir,
      script: paths.script(task.scriptFilename),
      // Submission checked the copy against this; only an attempt's script could have changed it since.
      scriptSha256: attemptNumber === 1 ? task.scriptSha256 : null,
      resources: { cpus: slots.cpus, gpus: localSlots === undefined ? task.gpus : run.slots.gpus.length, gpuIds: slots.gpus },
      args: [paths.argFile],
      logFile: paths.logFile,
      exitFile: paths.exitFile,
      timeoutMs: task.timeoutMs,
      slurmOptions: task.slurmOptions ?? [],
      env: attemptEnvironment(baseEnv, task, paths, slots, { gpusManaged: gpuIds.length > 0 }),
    });
  }

  /** Records how a run ended, as decideAttemptEnd rules. */
  async function settle(run: ActiveRun, ending: AttemptEnding): Promise<void> {
    const decision = decideAttemptEnd({
      ending,
      stopReason: run.stopReason,
      adopted: run.adopted,
      process: run.process?.description ?? null,
      // Retries count from the last restart.
      attempt: run.attemptNumber - run.task.runStartAttempt,
      policy: policyOf(run.task),
    });
    const { id } = run.task;
    const attempt = run.attemptNumber;
    const from: ActiveStatus = run.suspendedAt ? TaskStatus.suspended : TaskStatus.running;
    switch (decision.kind) {
      case "requeue":
        return recordEnd(run, () => transitions.requeue(id, attempt));
      case "finish":
        return recordEnd(run, () => transitions.finish(id, attempt, decision.outcome, from));
      case "retry":
        // Refused when a cancel was asked for as the script ended on its own: its failure then stands.
        return recordEnd(
          run,
          async () =>
            (await transitions.retry(id, attempt, decision.outcome, decision.waitMs, from)) || transitions.finish(id, attempt, decision.outcome, from),
        );
    }
  }

  /**
   * Stops the run once its time limit has passed since its attempt was claimed
   * (also when an earlier server claimed it: a restart does not reset the clock),
   * leaving out the time it spent suspended; a suspended run has no timer. A
   * timer longer than setTimeout can hold is set again when it fires.
   */
  function armDeadline(run: ActiveRun): void {
    const { timeoutMs } = run.task;
    timers.clearTimeout(run.deadline);
    if (timeoutMs === null || run.suspendedAt) return;
    const left = run.startedAt.getTime() + run.suspendedMs + timeoutMs - Date.now();
    if (left > 0) {
      run.deadline = timers.setTimeout(() => armDeadline(run), Math.min(left, MAX_TIMER_MS));
      return;
    }
    if (run.stopReason || run.phase === "settling" || run.phase === "detached") return;
    run.stopReason = "timeout";
    terminate(run); // while still starting, launchRecorded closes its gate instead
  }

  /**
   * An attempt that waits in a scheduler's queue (see RunningAttempt.runningSince) has its
   * time limit counted from when its script began to run, not from its claim.
   */
  function countTimeFrom(run: ActiveRun, runningSince: Promise<Date>): void {
    if (run.task.timeoutMs === null) return;
    timers.clearTimeout(run.deadline);
    run.deadline = undefined;
    void runningSince.then((at) => {
      if (run.phase !== "running" || run.stopReason) return;
      run.startedAt = at;
      armDeadline(run);
    });
  }

  /**
   * Writes a run's last state, retrying while the database refuses it (a full
   * disk): the run stays active meanwhile, so it still holds its place in the
   * concurrency limit and nothing about it is lost. A stop ends the retries;
   * the next start then finds the task running and reads its exit record.
   */
  async function recordEnd(run: ActiveRun, write: () => Promise<boolean>): Promise<void> {
    const retrying = retryUntilDone(write, {
      ...retryOptions,
      onFailureStreak: (error) => onError(error, run.task.id),
      onFailure: run.markEndWriteFailed,
    });
    run.endWrite = retrying;
    if (stopping) retrying.abandon();
    const result = await retrying.result;
    if (result.done && !result.value) {
      onError(new Error(`The outcome of attempt ${run.attemptNumber} was not recorded: the task is no longer running that attempt`), run.task.id);
    }
  }

  /** Asks the executor to end the attempt: TERM, then KILL after the grace period. */
  function terminate(run: ActiveRun): void {
    // Still starting: launchRecorded closes its gate instead.
    run.process?.terminate({ graceMs: killGraceMs });
  }

  /** Signals a run to stop and waits until its final state is written, or its write has failed (true: written). */
  async function cancel(run: ActiveRun): Promise<boolean> {
    run.stopReason = "cancel";
    terminate(run);
    return endWritten(run);
  }

  /** Waits until the run's final state is written (true) or a write of it has failed and waits for a retry (false). */
  function endWritten(run: ActiveRun): Promise<boolean> {
    return Promise.race([run.finished.then(() => true), run.endWriteFailed.then(() => false)]);
  }

  return {
    /**
     * Reconciles the tasks the database says are running (an earlier server
     * stopped or crashed while they ran), then starts what is queued. A task
     * whose process is still alive (same pid, same start time) is watched
     * again to its end; one that ended meanwhile gets the exit status its
     * wrapper recorded; one gone without a record fails, saying so; one that
     * was claimed but never let run goes back to the queue (one whose start
     * the database did not get is found by its executor, see startedUnrecorded).
     */
    async start(): Promise<void> {
      for (const { task, attempt } of await listRunningTasks(db)) {
        // Another server's (one sharing this database): it is watching it, or will when it starts again.
        if (attempt && attempt.owner !== null && attempt.owner !== instanceId) continue;
        // One task that cannot be reconciled is reported and left as it is; it must not keep the others, or the server, from starting.
        try {
          const owner = attempt && executors.find((each) => each.name === attempt.executor);
          // Worked out here, not in the run: a task whose id names no folder is reported, not failed.
          const { exitFile } = layout.taskPaths(task.id);
          // Claimed, but no process was recorded: it started only if its executor says so (the
          // task launcher starts a script at once, and writes its pid where this finds it); else
          // it never ran (the wrapper's gate kept it from running), and goes back to the queue.
          const handle = attempt?.handle ? parseStoredHandle(attempt.handle) : await owner?.startedUnrecorded?.({ taskId: task.id, attempt: attempt!.number, exitFile });
          if (!attempt || !handle) {
            await transitions.requeue(task.id, task.attemptCount);
            continue;
          }
          if (!owner) throw new Error(`attempt ${attempt.number} ran on the executor "${attempt.executor}", which this server does not have`);
          if (!attempt.handle && !(await transitions.recordProcess(task.id, attempt.number, handle))) continue;
          // It keeps the slots it was given: no other task gets its GPUs while it runs.
          const slots = { cpus: attempt.cpus, gpus: attempt.gpus ? attempt.gpus.split(",") : [] };
          const suspension = { at: task.status === TaskStatus.suspended ? (attempt.suspendedAt ?? new Date()) : null, ms: attempt.suspendedMs };
          startRun(task, attempt.number, attempt.startedAt, { kind: "adopt", executor: owner, handle, exitFile }, slots, suspension);
        } catch (error) {
          onError(error, task.id);
        }
      }
      // A crash may have come between a task's end and the cancel of those that waited for its success.
      await transitions.cancelStrandedDependents();
      await transitions.refreshAllBlocked();
      paused = await readQueuePaused(db, instanceId);
      wake();
    },

    /** Whether new tasks are kept from starting. */
    get paused() {
      return paused;
    },

    /** How many tasks run at once. */
    get concurrency() {
      return concurrency;
    },

    /** The CPU slots and GPUs in all, and those the running attempts hold. */
    slotUse() {
      const free = freeSlots();
      const total = totals().cpus;
      return { cpus: { total, used: total - free.cpus }, gpus: { total: [...gpuIds], free: [...free.gpus] } };
    },

    /** How many CPU slots and GPUs there are in all now: a task asking for more could never start. */
    slotTotals: totals,

    /** Keeps new tasks from starting (running ones go on), until resume; recorded first, so a restart keeps it. */
    async pause(): Promise<void> {
      await writeQueuePaused(db, instanceId, true, new Date());
      paused = true;
      if (dueWake) timers.clearTimeout(dueWake.timer);
      dueWake = undefined;
    },

    /** Lets queued tasks start again. */
    async resume(): Promise<void> {
      await writeQueuePaused(db, instanceId, false, new Date());
      paused = false;
      wake();
    },

    /** Changes how many tasks run at once: more start at once, or running ones finish before others start. */
    setConcurrency(value: number): void {
      concurrency = value;
      wake();
    },

    /** Stops a running task's processes where they are; recorded first. Its time limit stops counting. */
    async suspend(taskId: string): Promise<SuspendResult> {
      const run = active.get(taskId);
      if (!run) return "not_running";
      await run.ready;
      if (run.phase !== "running" || !run.process) return run.phase === "starting" ? "starting" : "not_running";
      if (run.suspendedAt) return "not_running";
      if (!(await transitions.suspend(taskId, run.attemptNumber))) return "not_running";
      run.suspendedAt = new Date();
      timers.clearTimeout(run.deadline);
      run.process.suspend();
      return "done";
    },

    /** Lets a suspended task's processes go on; recorded first. Its time limit counts again from where it stopped. */
    async resumeTask(taskId: string): Promise<SuspendResult> {
      const run = active.get(taskId);
      if (!run?.process || !run.suspendedAt) return "not_running";
      if (!(await transitions.resume(taskId, run.attemptNumber))) return "not_running";
      run.suspendedMs += Math.max(0, Date.now() - run.suspendedAt.getTime());
      run.suspendedAt = null;
      run.process.resume();
      armDeadline(run);
      return "done";
    },

    wake,

    get runningCount() {
      return active.size;
    },

    /**
     * Cancels a running task: the request is recorded first, then the process
     * group is signalled. Resolves once the task's final state is written, or
     * as soon as writing it has failed ("finishing": it is written when the
     * database takes writes again). A task whose process had already ended is
     * not cancelled: its own outcome stands.
     */
    async cancelRunning(taskId: string): Promise<CancelResult> {
      const ending = active.get(taskId);
      if (ending?.phase === "settling") return (await endWritten(ending)) ? "ended" : "finishing";
      if (!(await transitions.requestCancel(taskId))) return "not_running";
      const run = active.get(taskId);
      if (!run) return "cancelled";
      return (await cancel(run)) ? "cancelled" : "finishing";
    },

    /**
     * Stops taking tasks. Running tasks keep running, recorded so that the next
     * start watches them again; with `cancelRunning` they are cancelled first.
     */
    async stop({ cancelRunning = false }: { cancelRunning?: boolean } = {}): Promise<void> {
      stopping = true;
      progress.stop();
      if (dueWake) timers.clearTimeout(dueWake.timer);
      dueWake = undefined;
      filling?.abandon();
      await filling?.result;
      const runs = [...active.values()];
      if (cancelRunning) {
        await Promise.all(
          runs.map(async (run) => {
            // A database that refuses the record must not keep the processes from being stopped.
            await transitions.requestCancel(run.task.id).catch((error) => onError(error, run.task.id));
            await cancel(run);
          }),
        );
      } else {
        await Promise.all(runs.map((run) => run.ready));
        for (const run of runs) {
          if (run.phase === "settling") continue;
          timers.clearTimeout(run.deadline);
          run.phase = "detached";
          run.process?.detach();
        }
      }
      // Runs already writing their outcome finish the write in flight, but retry no more: the
      // task stays running in the database, and the next start reads its exit record.
      for (const run of runs) run.endWrite?.abandon();
      await Promise.all(runs.filter((run) => run.phase === "settling").map((run) => run.finished));
    },
  };
}

/** The longest wait setTimeout takes (about 24.8 days); longer ones are set again when they fire. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A function, not an inline test: TypeScript would keep the phase narrowed across the awaits that change it. */
function isDetached(run: ActiveRun): boolean {
  return run.phase === "detached";
}


function definedOnly(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) result[key] = value;
  return result;
}
