/**
 * Where a task's attempt runs. The runner decides *when* an attempt runs and
 * what its outcome means; an executor decides *where* (on this machine, or a
 * cluster scheduler) and *how*: it builds the command from the attempt's
 * spec, starts it, ends it, and finds it again after a server restart from
 * the handle it gave out. The runner never looks inside a handle.
 */
export interface Executor {
  /** Stored with each attempt: a later start hands the attempt back to the executor of this name. */
  readonly name: string;
  /**
   * Starts an attempt held at a gate: its script does not run until `release()`,
   * so that the runner can record the handle before anything happens.
   */
  launch(spec: AttemptSpec): Promise<LaunchedAttempt>;
  /**
   * Watches again an attempt an earlier server started, from the handle it
   * recorded. If it has already ended, `exited` settles at once with what it left.
   */
  adopt(attempt: RecordedAttempt): Promise<RunningAttempt>;
  /**
   * For an attempt claimed but with no recorded handle (a server stopped between starting it
   * and recording it): the handle to adopt it by, if what the executor left shows that it
   * started after all; undefined if it never did (it then goes back to the queue). What it
   * reads is this attempt's: the runner removes the last attempt's exit record before it
   * claims the next. Absent: an executor whose attempts never start unrecorded.
   */
  startedUnrecorded?(attempt: { taskId: string; attempt: number; exitFile: string }): Promise<AttemptHandle | undefined>;
}

/**
 * What an executor-owned handle may hold: plain JSON, stored as it is with
 * the attempt (`{pid, startToken}` for the local executor, a job id for a cluster).
 */
export type AttemptHandle = { readonly [key: string]: string | number | boolean | null };

/** One attempt of a task, as the runner asks for it. */
export interface AttemptSpec {
  taskId: string;
  attempt: number;
  /** The task's folder: the working directory, on whatever machine runs it. */
  dir: string;
  /** The task's copy of its script. How it is run (shebang, extension) is the executor's to decide. */
  script: string;
  /**
   * The sha256 of the task's copy while nothing has run in its folder yet (its first attempt),
   * so that its bytes are known without reading them; null once a script could have changed it.
   */
  scriptSha256: string | null;
  /**
   * The slots the attempt asks for: its CPUs and how many GPUs, and which GPUs it was given
   * (`gpuIds`; null when the executor's own scheduler chooses them, as a cluster's does).
   */
  resources: { cpus: number; gpus: number; gpuIds: readonly string[] | null };
  /** The script's arguments (the argument file). */
  args: readonly string[];
  env: Readonly<Record<string, string>>;
  /** stdout and stderr both go here: a new file, made for the attempt. */
  logFile: string;
  /** Where the outcome is written when the script ends, whether or not a server is watching. */
  exitFile: string;
  /**
   * How long the script may run (ms), or null for no limit. The runner stops the attempt
   * then; an executor with a scheduler of its own also tells it, so that the limit holds
   * while no server watches.
   */
  timeoutMs: number | null;
  /** sbatch options the task was submitted with, for the Slurm executor; others have no use for them. */
  slurmOptions: readonly string[];
}

/** An attempt an earlier server started, as the database holds it. */
export interface RecordedAttempt {
  taskId: string;
  attempt: number;
  handle: AttemptHandle;
  exitFile: string;
}

export type ProcessExit =
  /** The script ran and ended. */
  | { kind: "exited"; exitCode: number | null; signal: string | null; endedBy?: string }
  /** The gate closed before the script ran: it never started. */
  | { kind: "not_started" }
  /** The attempt is gone and left no outcome (killed with its wrapper, or the machine went down). */
  | { kind: "lost"; endedBy?: string };
// `endedBy`: what ended the attempt when it was neither its script nor CubQueue, in words, as the
// executor knows it: a cluster scheduler's own decision (a time limit, a failed node, a preemption,
// a cancel from outside), e.g. "Slurm ended job 917: its time limit was reached (TIMEOUT)". It is
// recorded as the attempt's failure; a script that exited 0 succeeded all the same.

export interface RunningAttempt {
  /** What the executor needs to find this attempt again; recorded before the script runs. */
  readonly handle: AttemptHandle;
  /** The attempt in words, for messages: "process (pid 4242)", "Slurm job 917". */
  readonly description: string;
  /**
   * For an attempt that may wait in a scheduler's queue after it is let go: settles with when
   * its script began to run, from which its time limit counts (time spent waiting for a
   * cluster's nodes is not running time). Absent: it runs as soon as it is let go, and its
   * limit counts from its claim.
   */
  readonly runningSince?: Promise<Date>;
  /** Settles once, when the whole attempt is over (nothing of it is left running). Never rejects. */
  readonly exited: Promise<ProcessExit>;
  /**
   * Asks the attempt to stop (TERM to all it started, and CONT, so that a
   * suspended one can act on it), and ends it by force (KILL) if it is still
   * there after `graceMs`. Whatever outlived the script
   * is ended once the script has exited. Calling it again changes nothing.
   */
  terminate(options: { graceMs: number }): void;
  /** Stops watching (the server is going away; the attempt keeps running). `exited` then never settles. */
  detach(): void;
  /** Stops all its processes where they are (SIGSTOP), until `resume`. Asked again, it changes nothing. */
  suspend(): void;
  /** Lets its processes go on after a `suspend`; harmless when they were not stopped. */
  resume(): void;
}

export interface LaunchedAttempt extends RunningAttempt {
  /** Opens the gate: the script starts. */
  release(): void;
  /** Closes the gate without opening it: the script never starts and `exited` reports "not_started". */
  abandon(): void;
}
