/** What Slurm says of one job: its state (`RUNNING`, `TIMEOUT`, …), its reason, and when it started. */
export interface JobState {
  jobId: string;
  /** Slurm's job state, in capitals, as squeue's `%T` prints it. */
  state: string;
  /** Slurm's reason for that state (`TimeLimit`, `JobHeldUser`, …); "None" when it gives none. */
  reason: string;
  /** When the job began to run, once it has. */
  startedAt: Date | undefined;
}

/**
 * The states after which nothing of a job is left running: Slurm keeps such a job for a
 * while (MinJobAge), then forgets it. COMPLETING is not one: its processes are still being
 * ended.
 */
const FINAL_STATES: ReadonlySet<string> = new Set([
  "COMPLETED",
  "FAILED",
  "CANCELLED",
  "TIMEOUT",
  "NODE_FAIL",
  "PREEMPTED",
  "BOOT_FAIL",
  "DEADLINE",
  "OUT_OF_MEMORY",
  "REVOKED",
]);

/** The states of a job whose batch script runs, or has run and is being ended. */
const STARTED_STATES: ReadonlySet<string> = new Set(["RUNNING", "COMPLETING", "SUSPENDED", "STOPPED", "SIGNALING", "STAGE_OUT", "RESIZING"]);

export function isFinal(job: JobState): boolean {
  return FINAL_STATES.has(job.state);
}

/** Running now (or suspended, or being ended): its script began, at `startedAt`. */
export function isStarted(job: JobState): boolean {
  return STARTED_STATES.has(job.state);
}

/**
 * Still held as CubQueue submits it (`sbatch --hold` gives JobHeldUser), so never let go:
 * its script has not run. A hold by an administrator (JobHeldAdmin) is theirs to lift.
 */
export function isHeldAtSubmission(job: JobState): boolean {
  return job.state === "PENDING" && job.reason === "JobHeldUser";
}

/**
 * Why Slurm itself ended a job, in words, for the states it enters only by its own decision
 * or someone else's; undefined for a job that ended by itself (COMPLETED, FAILED: its batch
 * script exited) or is not over.
 */
const ENDED_BY_SLURM: Readonly<Record<string, string>> = Object.freeze({
  TIMEOUT: "its time limit was reached",
  NODE_FAIL: "its node failed",
  PREEMPTED: "it was preempted",
  BOOT_FAIL: "its node failed to boot",
  DEADLINE: "its deadline passed",
  OUT_OF_MEMORY: "it ran out of memory",
  CANCELLED: "it was cancelled outside CubQueue (scancel)",
  REVOKED: "it was revoked (it ran on another cluster of a federation)",
});

/** "Slurm ended job 917: its time limit was reached (TIMEOUT, TimeLimit)", or undefined (see ENDED_BY_SLURM). */
export function endedBySlurm(job: JobState): string | undefined {
  const words = ENDED_BY_SLURM[job.state];
  return words === undefined ? undefined : `Slurm ended job ${job.jobId}: ${words} (${stateInWords(job)})`;
}

/** The state with Slurm's reason when it gives one: "FAILED, NonZeroExitCode", "CANCELLED". */
export function stateInWords(job: JobState): string {
  return job.reason && job.reason !== "None" ? `${job.state}, ${job.reason}` : job.state;
}
