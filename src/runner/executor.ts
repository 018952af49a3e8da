/**
 * Where a task's process runs. The runner decides *when* a task runs; an
 * executor decides *where* (on this machine now; a cluster scheduler later).
 */
export interface Executor {
  /** Stored with each attempt, so a later start knows which executor owns it. */
  readonly name: string;
  /**
   * Starts a task held at a gate: its script does not run until `release()`,
   * so that the runner can record the process before anything happens.
   */
  launch(launch: TaskLaunch): Promise<LaunchedProcess>;
  /**
   * Watches again a task process that an earlier server started. If it has
   * already ended, `exited` settles at once with what it recorded.
   */
  adopt(task: AdoptedTask): Promise<RunningProcess>;
}

export interface TaskLaunch {
  taskId: string;
  /** The working directory: the task's folder. */
  cwd: string;
  /** The program and its arguments, program first. */
  command: readonly string[];
  env: Readonly<Record<string, string>>;
  /** stdout and stderr both go here: a new file, made for the attempt. */
  logFile: string;
  /** Where the outcome is written when the script ends, whether or not a server is watching. */
  exitFile: string;
}

/** What identifies a task's process across server restarts. */
export interface ProcessHandle {
  pid: number;
  /** When the process started (see process-identity.ts); null if it was never recorded. */
  startToken: string | null;
  exitFile: string;
}

/** A task process an earlier server started, and the task it belongs to. */
export interface AdoptedTask extends ProcessHandle {
  taskId: string;
}

export type ProcessExit =
  /** The script ran and ended. */
  | { kind: "exited"; exitCode: number | null; signal: string | null }
  /** The gate closed before the script ran: it never started. */
  | { kind: "not_started" }
  /** The process is gone and left no outcome (killed with its wrapper, or the machine went down). */
  | { kind: "lost" };

export interface RunningProcess extends ProcessHandle {
  /** Settles once, when the whole run is over. Never rejects. */
  readonly exited: Promise<ProcessExit>;
  /** Sends a signal to the task's process group (what left it is ended once the script has exited). */
  signal(signal: NodeJS.Signals): void;
  /** Stops watching (the server is going away; the task keeps running). `exited` then never settles. */
  detach(): void;
}

export interface LaunchedProcess extends RunningProcess {
  /** Opens the gate: the script starts. */
  release(): void;
  /** Closes the gate without opening it: the script never starts and `exited` reports "not_started". */
  abandon(): void;
}
