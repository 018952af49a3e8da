/**
 * Where a task's process runs. The runner decides *when* a task runs; an
 * executor decides *where* (on this machine now; a cluster scheduler later).
 */
export interface Executor {
  /** Stored with each attempt, so a later start knows which executor owns it. */
  readonly name: string;
  launch(launch: TaskLaunch): Promise<RunningProcess>;
}

export interface TaskLaunch {
  taskId: string;
  /** The working directory: the task's folder. */
  cwd: string;
  /** The program and its arguments, program first. */
  command: readonly string[];
  env: Readonly<Record<string, string>>;
  /** stdout and stderr both go here, appended. */
  logFile: string;
}

export interface ProcessExit {
  exitCode: number | null;
  signal: string | null;
}

export interface RunningProcess {
  readonly pid: number;
  /** Settles once, when the whole run is over. Never rejects. */
  readonly exited: Promise<ProcessExit>;
  /** Sends a signal to everything the task started (its process group). */
  signal(signal: NodeJS.Signals): void;
}
