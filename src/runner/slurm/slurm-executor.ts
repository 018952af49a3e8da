import { open, rm } from "node:fs/promises";
import { PRIVATE_FILE_MODE } from "../../store/layout.ts";
import type { AttemptSpec, Executor, LaunchedAttempt, ProcessExit, RecordedAttempt, RunningAttempt } from "../executor.ts";
import { commandFor, type Interpreters } from "../interpreters.ts";
import { INTERPRETER_BY_EXTENSION, createLaunchRuleCache } from "../launch-rule.ts";
import { DEFAULT_BACKOFF, realTimers, retryUntilDone, type Backoff, type Timers } from "../retry.ts";
import { readExitRecord, readWrapperProgress } from "../task-wrapper.ts";
import { batchScript } from "./batch-script.ts";
import { isFinal, isHeldAtSubmission, isStarted, type JobState } from "./job-state.ts";
import { jobOutcome } from "./job-outcome.ts";
import { createJobWatcher } from "./job-watcher.ts";
import { parseSacct, sacctArgs } from "./sacct.ts";
import { sbatchArgs, type SlurmSite } from "./sbatch-args.ts";
import { SlurmCommandError, type SlurmCommands } from "./slurm-commands.ts";
import { parseSbatchOutput, slurmHandleOf } from "./slurm-handle.ts";
import { isNoSuchJobs, parseSqueue, squeueArgs } from "./squeue.ts";

export interface SlurmExecutorOptions {
  /** Runs sbatch, squeue, scontrol, scancel and sacct (see slurm-commands.ts). */
  commands: Pick<SlurmCommands, "run" | "has">;
  /** What every job gets: partition, account, options. */
  site: SlurmSite;
  /** Which program runs a script without a shebang, by its extension, as the compute nodes find it (see nodeInterpreters). */
  interpreters: Interpreters;
  /** How often Slurm is asked about the jobs it runs (one squeue for all of them). */
  pollMs: number;
  /** Where failures that belong to no attempt's outcome go (a poll, a release tried again). */
  onError: (error: unknown, context?: string) => void;
  /** How a failed release or cancel is tried again. */
  retryBackoff?: Backoff;
  timers?: Timers;
}

/**
 * Runs each attempt as one Slurm batch job: the task wrapper, as the local executor runs it,
 * in the task's folder, with the task's log as its output (see batch-script.ts and
 * sbatch-args.ts). The job is submitted held and released once the runner has recorded its
 * id; it is watched with one squeue per poll for all jobs (see job-watcher.ts), and its end
 * is read from Slurm's state and the wrapper's exit file (see job-outcome.ts). Stopping it is
 * Slurm's way: TERM to all its processes, then KILL after the grace period, then scancel.
 * The base dir must be on a file system the compute nodes share with the server.
 */
export function createSlurmExecutor({ commands, site, interpreters, pollMs, onError, retryBackoff = DEFAULT_BACKOFF, timers = realTimers }: SlurmExecutorOptions): Executor {
  const launchRules = createLaunchRuleCache();
  const watcher = createJobWatcher({
    queryJobs: async (jobIds) => {
      try {
        return parseSqueue(await commands.run("squeue", squeueArgs(jobIds)));
      } catch (error) {
        if (error instanceof SlurmCommandError && isNoSuchJobs(error.stderr)) return new Map<string, JobState>();
        throw error;
      }
    },
    queryForgotten: commands.has("sacct") ? async (jobIds) => parseSacct(await commands.run("sacct", sacctArgs(jobIds))) : undefined,
    pollMs,
    onError: (error) => onError(error, "watching Slurm jobs (squeue)"),
    timers,
  });

  const releaseJob = createReleaser(commands);

  /** Runs a Slurm command until it succeeds or `until()` says it is no longer needed; a failure is reported once. */
  function persist(what: string, run: () => Promise<unknown>, until: () => boolean): void {
    // Once no longer needed, the next try returns at once: the retries end there.
    retryUntilDone(
      async () => {
        if (until()) return;
        await run();
      },
      { backoff: retryBackoff, timers, onFailureStreak: (error) => onError(error, what) },
    );
  }

  /** Follows one job to its end, from its submission or from a restart. */
  function followJob(jobId: string, exitFile: string, adopted: boolean): LaunchedAttempt {
    let settled = false;
    let abandoned = false;
    let stoppedHere = false;
    let killTimer: unknown;
    /** What Slurm said of the job at the last poll. */
    let lastSeen: JobState | undefined;
    let resolveExit!: (exit: ProcessExit) => void;
    let resolveRunning!: (at: Date) => void;
    const exited = new Promise<ProcessExit>((resolve) => (resolveExit = resolve));
    const runningSince = new Promise<Date>((resolve) => (resolveRunning = resolve));
    const isOver = () => settled;

    const cancelJob = () => persist(`cancelling Slurm job ${jobId}`, () => commands.run("scancel", [jobId]), isOver);
    const abandon = () => {
      if (abandoned || settled) return;
      abandoned = true;
      cancelJob();
    };
    const stopWatching = watcher.watch(jobId, (job) => {
      lastSeen = job;
      // Held still after a restart: the server that submitted it died before letting it go.
      if (job && adopted && isHeldAtSubmission(job)) abandon();
      if (job && isStarted(job)) resolveRunning(runningSinceOf(job));
      if (!job || isFinal(job)) void finish(job);
    });

    async function finish(final: JobState | undefined): Promise<void> {
      if (settled) return;
      settled = true;
      stopWatching();
      timers.clearTimeout(killTimer);
      const wrapper = await readWrapperProgress(exitFile);
      // A job that ran and ended between two polls was never seen running: its final state says when it began.
      const ran = wrapper !== "none" && !(typeof wrapper === "object" && wrapper.kind === "not_started");
      if (ran && final?.startedAt !== undefined) resolveRunning(runningSinceOf(final));
      resolveExit(jobOutcome({ jobId, final, wrapper, abandoned, stoppedHere }));
    }

    return {
      handle: { jobId },
      description: `Slurm job ${jobId}`,
      exited,
      runningSince,
      release: () => persist(`releasing Slurm job ${jobId}`, () => releaseJob(jobId), isOver),
      abandon,
      terminate({ graceMs }) {
        if (stoppedHere || settled) return;
        stoppedHere = true;
        void (async () => {
          // Not running yet: there is nothing to signal, only a job to end. (A signal to a pending
          // job is refused, after scancel has tried again for half a minute.) The last poll may be
          // older than the job's start; the wrapper's exit file says "running" as soon as it runs.
          const running = (lastSeen !== undefined && isStarted(lastSeen)) || (await readWrapperProgress(exitFile)) !== "none";
          if (settled) return;
          if (!running) return cancelJob();
          // Every process of the job, the wrapper and its script included, as a cancel here does locally.
          void commands.run("scancel", ["--full", "--signal=TERM", jobId]).catch(cancelJob);
          killTimer = timers.setTimeout(() => {
            // Whatever is left, then the job itself, as Slurm ends one.
            void commands
              .run("scancel", ["--full", "--signal=KILL", jobId])
              .catch(() => {})
              .then(cancelJob);
          }, graceMs);
        })();
      },
      detach() {
        settled = true;
        stopWatching();
        timers.clearTimeout(killTimer);
      },
      // Slurm suspends a job itself (scontrol, which needs Slurm's operator rights): its processes
      // are stopped and its CPUs given back until it is resumed.
      suspend() {
        void commands.run("scontrol", ["suspend", jobId]).catch((error) => onError(error, `suspending Slurm job ${jobId}`));
      },
      resume() {
        // Also asked of every job a restarted server finds running: one that was not suspended says so, and that is fine.
        void commands.run("scontrol", ["resume", jobId]).catch(() => {});
      },
    };
  }

  return {
    name: "slurm",

    async launch(spec: AttemptSpec): Promise<LaunchedAttempt> {
      const rule = await launchRules.ruleFor(spec.script, spec.scriptSha256);
      const command = commandFor(spec.script, rule, spec.args, interpreters);
      await makeAttemptFiles(spec);
      const args = sbatchArgs(site, {
        taskId: spec.taskId,
        dir: spec.dir,
        logFile: spec.logFile,
        timeoutMs: spec.timeoutMs,
        resources: { cpus: spec.resources.cpus, gpus: spec.resources.gpus },
        taskOptions: spec.slurmOptions,
      });
      const script = batchScript({ taskId: spec.taskId, attempt: spec.attempt, exitFile: spec.exitFile, command });
      const jobId = parseSbatchOutput(await commands.run("sbatch", args, { input: script, env: spec.env }));
      return followJob(jobId, spec.exitFile, false);
    },

    async adopt({ handle, exitFile }: RecordedAttempt): Promise<RunningAttempt> {
      const slurm = slurmHandleOf(handle);
      if (!slurm) return unknownHandle(exitFile);
      return followJob(slurm.jobId, exitFile, true);
    },
  };
}

/**
 * When a running job's script began, for its time limit: Slurm's start time has whole
 * seconds, so the job began at most 999 ms after it; taking that last instant (never later
 * than now) never cuts a task's time short. Without one, now: it runs, so it began by now.
 */
export function runningSinceOf(job: JobState, now = Date.now()): Date {
  return new Date(job.startedAt === undefined ? now : Math.min(now, job.startedAt.getTime() + 999));
}

/** The most job ids one `scontrol release` is given. */
const RELEASES_PER_CALL = 500;

/**
 * Releases jobs with as few `scontrol release` calls as it can: the jobs let go while one
 * call runs are released together by the next (`scontrol release 12,13,14`), so a burst of
 * submissions costs one process per batch, not one per job. A call that fails fails every
 * job in it, each then tried again on its own schedule; releasing a job twice is harmless.
 */
function createReleaser(commands: SlurmExecutorOptions["commands"]): (jobId: string) => Promise<void> {
  const waiting: Array<{ jobId: string; settle: (error?: unknown) => void }> = [];
  let releasing = false;
  async function releaseWaiting(): Promise<void> {
    releasing = true;
    while (waiting.length > 0) {
      const batch = waiting.splice(0, RELEASES_PER_CALL);
      const failure = await commands.run("scontrol", ["release", batch.map((each) => each.jobId).join(",")]).then(
        () => undefined,
        (error: unknown) => error ?? new Error("scontrol release failed"),
      );
      for (const each of batch) each.settle(failure);
    }
    releasing = false;
  }
  return (jobId) =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ jobId, settle: (error) => (error === undefined ? resolve() : reject(error)) });
      if (!releasing) void releaseWaiting();
    });
}

/**
 * The interpreters a job runs scripts with: by name, found on the compute node's PATH (a
 * path resolved on the server's machine may not exist there), unless the server was given
 * one (`--python`, `--interpreter`), which must then be valid on the nodes.
 */
export function nodeInterpreters(overrides: Readonly<Record<string, string>>): Interpreters {
  const interpreters = new Map<string, string>();
  for (const program of new Set(Object.values(INTERPRETER_BY_EXTENSION))) interpreters.set(program, program);
  for (const [program, location] of Object.entries(overrides)) interpreters.set(program, location);
  return interpreters;
}

/**
 * The attempt's exit record and log, new (exclusive: nothing a script left in their place,
 * a symlink or a FIFO, is opened) and private, as the local executor makes them. Slurm
 * appends the job's output to the log, and the wrapper writes the record in place.
 */
async function makeAttemptFiles(spec: AttemptSpec): Promise<void> {
  // Before a first attempt nothing has run in the folder, so there is nothing to clear.
  if (spec.scriptSha256 === null) await rm(spec.exitFile, { recursive: true, force: true });
  const made = await Promise.allSettled([open(spec.exitFile, "wx", PRIVATE_FILE_MODE), open(spec.logFile, "ax", PRIVATE_FILE_MODE)]);
  await Promise.all(made.map((each) => (each.status === "fulfilled" ? each.value.close() : undefined)));
  const failed = made.find((each) => each.status === "rejected");
  if (failed) throw failed.reason;
}

/** A handle this executor cannot read: there is no job to watch, only the exit record the wrapper may have left. */
function unknownHandle(exitFile: string): RunningAttempt {
  return {
    handle: {},
    description: "Slurm job",
    exited: readExitRecord(exitFile).then((record) => record ?? { kind: "lost" }),
    terminate: () => {},
    detach: () => {},
    suspend: () => {},
    resume: () => {},
  };
}
