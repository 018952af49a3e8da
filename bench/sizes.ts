import { GiB, MiB } from "./support/files.ts";

/** How much work each row does. Every count here bounds a step of the run. */
export interface Sizes {
  /** Tasks in the end-to-end runs and the runner's capacity (CubQueue and the peers). */
  throughputTasks: number;
  /** Interleaved rounds of the end-to-end row (CubQueue and its references); the fastest of each counts. */
  throughputRounds: number;
  /** Tasks submitted over HTTP for the submit rate, and in the array whose CPU per task is measured. */
  submits: number;
  /** Tasks run through each end-to-end server before its timed run, to compile its handlers; not counted. */
  warmupSubmits: number;
  /**
   * Submits sent before the submit rows' steady-state windows, not counted: V8 goes on
   * compiling the submit's paths for the first few thousand (here a background thread
   * took 0.3–0.6 ms per submit through the first 2,000, nothing after 4,000).
   */
  steadySubmits: number;
  /** Jobs queued behind busy slots in task-spooler's enqueue rate (it keeps one process per queued job). */
  spoolerSubmits: number;
  /** Concurrent HTTP clients for single submits. */
  submitClients: number;
  /** Free space a tmpfs needs to take the folders of the rows that make many small files. */
  tmpfsBytes: number;
  /** Submit→start samples on an idle queue. */
  latencySamples: number;
  uploadBytes: number;
  downloadBytes: number;
  /** Files the download folder is split into. */
  downloadFiles: number;
  logBytes: number;
  /** HTTP samples of the log tail. */
  logSamples: number;
  /** Tasks seeded into the database for list/status. */
  databaseTasks: number;
  /** Requests each for list and status. */
  databaseSamples: number;
  /** Loads of the dashboard in Chromium, against that database. */
  pageLoads: number;
  idleSeconds: number;
  /** Lines timed from a script to a follower of its log. */
  followSamples: number;
  /** Followers attached at once (to a busy task, then to quiet ones). */
  followers: number;
  /** The CPU window with followers attached. */
  followSeconds: number;
}

export const FULL: Sizes = {
  throughputTasks: 1000,
  throughputRounds: 3,
  submits: 1000,
  warmupSubmits: 100,
  steadySubmits: 4000,
  spoolerSubmits: 500,
  submitClients: 8,
  tmpfsBytes: 256 * MiB,
  latencySamples: 50,
  uploadBytes: 2 * GiB,
  downloadBytes: 1 * GiB,
  downloadFiles: 16,
  logBytes: 1 * GiB,
  logSamples: 50,
  databaseTasks: 100_000,
  databaseSamples: 200,
  pageLoads: 20,
  idleSeconds: 10,
  followSamples: 200,
  followers: 100,
  followSeconds: 10,
};

/** Small sizes that check the harness end to end in well under a minute; its timings mean little. */
export const QUICK: Sizes = {
  throughputTasks: 30,
  throughputRounds: 1,
  submits: 40,
  warmupSubmits: 8,
  steadySubmits: 16,
  spoolerSubmits: 20,
  submitClients: 8,
  tmpfsBytes: 32 * MiB,
  latencySamples: 5,
  uploadBytes: 32 * MiB,
  downloadBytes: 16 * MiB,
  downloadFiles: 4,
  logBytes: 16 * MiB,
  logSamples: 10,
  databaseTasks: 2_000,
  databaseSamples: 20,
  pageLoads: 3,
  idleSeconds: 1,
  followSamples: 20,
  followers: 10,
  followSeconds: 1,
};
