import { realTimers, type Timers } from "../retry.ts";
import type { JobState } from "./job-state.ts";

export interface JobWatcherOptions {
  /** Slurm's view of these jobs (one squeue, see squeue.ts); a job it does not know is absent. */
  queryJobs: (jobIds: readonly string[]) => Promise<Map<string, JobState>>;
  /** The last state accounting holds of jobs Slurm's controller has forgotten (sacct), where there is accounting. */
  queryForgotten?: (jobIds: readonly string[]) => Promise<Map<string, JobState>>;
  pollMs: number;
  /** Told of a failed poll once per streak of failures (the next poll is tried all the same). */
  onError: (error: unknown) => void;
  timers?: Timers;
}

/**
 * Told after each poll what Slurm says of its job: its state, or undefined once Slurm has
 * forgotten it (missing from two polls in a row, and from accounting).
 */
export type JobListener = (job: JobState | undefined) => void;

export type JobWatcher = ReturnType<typeof createJobWatcher>;

/**
 * How many job ids one squeue is given: a command-line argument holds at most 128 KiB on
 * Linux, and ids run to 8 digits and a comma.
 */
const JOBS_PER_QUERY = 5000;

/**
 * Watches Slurm jobs the cheap way: one squeue for all of them per poll interval (a few
 * more past JOBS_PER_QUERY jobs), not one per job, and no timer at all while no job is
 * watched. A poll that fails (the controller is unreachable) changes nothing: the jobs
 * are asked about again at the next one.
 */
export function createJobWatcher({ queryJobs, queryForgotten, pollMs, onError, timers = realTimers }: JobWatcherOptions) {
  const listeners = new Map<string, JobListener>();
  /** How many polls in a row have not found a job. */
  const misses = new Map<string, number>();
  let timer: unknown;
  let polling = false;
  let failing = false;

  function schedule(): void {
    if (timer !== undefined || polling || listeners.size === 0) return;
    timer = timers.setTimeout(() => {
      timer = undefined;
      void poll();
    }, pollMs);
  }

  /** Tells one job's listener; one that throws is reported and keeps no other job from being told. */
  function tell(jobId: string, job: JobState | undefined): void {
    try {
      listeners.get(jobId)?.(job);
    } catch (error) {
      onError(error);
    }
  }

  async function poll(): Promise<void> {
    polling = true;
    try {
      const jobIds = [...listeners.keys()];
      const known = new Map<string, JobState>();
      for (let start = 0; start < jobIds.length; start += JOBS_PER_QUERY) {
        for (const [id, job] of await queryJobs(jobIds.slice(start, start + JOBS_PER_QUERY))) known.set(id, job);
      }
      const forgotten: string[] = [];
      for (const id of jobIds) {
        const job = known.get(id);
        if (job) {
          misses.delete(id);
          tell(id, job);
          continue;
        }
        // A job can be missing from one answer while the controller restarts; twice is gone.
        const missed = (misses.get(id) ?? 0) + 1;
        misses.set(id, missed);
        if (missed >= 2) forgotten.push(id);
      }
      if (forgotten.length > 0) {
        const accounted = await (queryForgotten?.(forgotten) ?? Promise.resolve(new Map<string, JobState>())).catch(() => new Map<string, JobState>());
        for (const id of forgotten) tell(id, accounted.get(id));
      }
      failing = false;
    } catch (error) {
      if (!failing) onError(error);
      failing = true;
    } finally {
      polling = false;
      schedule();
    }
  }

  return {
    /** Reports on a job after each poll until the returned function is called. */
    watch(jobId: string, listener: JobListener): () => void {
      listeners.set(jobId, listener);
      schedule();
      return () => {
        if (listeners.get(jobId) !== listener) return;
        listeners.delete(jobId);
        misses.delete(jobId);
        if (listeners.size === 0 && timer !== undefined) {
          timers.clearTimeout(timer);
          timer = undefined;
        }
      };
    },
    /** How many jobs are watched. */
    get size() {
      return listeners.size;
    },
    /** Whether a poll is due (a timer runs); false whenever no job is watched. */
    get scheduled() {
      return timer !== undefined || polling;
    },
  };
}
