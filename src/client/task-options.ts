import type { FormPart, UploadProgress } from "./multipart-upload.ts";

/** How a task runs and is scheduled: what submit, submitArray and editTask take. */
export interface TaskOptions {
  /** How many times a failed or timed-out attempt is run again (0-100; default 0). */
  maxRetries?: number;
  /** Seconds to wait before a retry (default 0). */
  retryDelayS?: number;
  /** Each further retry waits twice as long as the one before. */
  retryBackoff?: boolean;
  /** How long one attempt may run, in seconds: then TERM, KILL after the grace, and the attempt fails. */
  timeoutS?: number;
  /** Higher starts first (default 0); equal ones oldest first. */
  priority?: number;
  /** Start only once each of these tasks has succeeded (a failure or cancel of one cancels this task). */
  after?: readonly string[];
  /** Start only once each of these tasks has ended, however. */
  afterAny?: readonly string[];
  /** The CPU slots each attempt takes (default 1). */
  cpus?: number;
  /** How many GPUs each attempt takes (default 0). */
  gpus?: number;
  /** Variables for every attempt (names starting with CUBQUEUE_ are refused). */
  env?: Readonly<Record<string, string>>;
  /** A name for people (one line, at most 200 characters), shown by list and status and filtered on. */
  name?: string;
  /** Labels to find it by ({ project: "beta" }); keys are 1-64 letters, digits, _ . or -. */
  tags?: Readonly<Record<string, string>>;
  /** An http(s) URL sent the task as JSON (POST) when it finishes, or with notifyOn "all" at every change of its state. */
  notifyUrl?: string;
  notifyOn?: "finish" | "all";
}

export interface SubmitOptions extends TaskOptions {
  onProgress?: (progress: UploadProgress) => void;
  /** Submit it held: it starts only once released. */
  hold?: boolean;
  /** sbatch options for each of the task's jobs (`["--qos=long"]`), on a server started with `--executor slurm`. */
  slurmOptions?: readonly string[];
}

export interface SubmitArrayOptions extends SubmitOptions {
  /** A JSON-lines file: each non-blank line is the argument file of one more task. */
  argLinesPath?: string;
  /** At most this many of the array's tasks run at once. */
  maxRunning?: number;
}

export interface EditOptions extends Omit<TaskOptions, "timeoutS"> {
  /** A new time limit in seconds, or null to remove it. */
  timeoutS?: number | null;
  /** A new argument file; its <fileN> placeholders name the task's files. */
  argFilePath?: string;
}

/**
 * The form fields of a task's options (those given). For an edit, an empty after or
 * afterAny list is sent too: it replaces what the task waited for with nothing.
 */
export function taskFields(options: TaskOptions & { hold?: boolean; slurmOptions?: readonly string[] }, { replacingDependencies = false } = {}): FormPart[] {
  const list = (ids: readonly string[] | undefined) => (ids === undefined || (ids.length === 0 && !replacingDependencies) ? undefined : ids.join(","));
  const fields: Array<[string, string | number | boolean | undefined]> = [
    ["max_retries", options.maxRetries],
    ["retry_delay_s", options.retryDelayS],
    ["retry_backoff", options.retryBackoff],
    ["timeout_s", options.timeoutS],
    ["priority", options.priority],
    ["after", list(options.after)],
    ["after_any", list(options.afterAny)],
    ["cpus", options.cpus],
    ["gpus", options.gpus],
    ["env", options.env === undefined ? undefined : JSON.stringify(options.env)],
    ["name", options.name],
    ["tags", options.tags === undefined ? undefined : JSON.stringify(options.tags)],
    ["notify_url", options.notifyUrl],
    ["notify_on", options.notifyOn],
    ["hold", options.hold],
    ["slurm_options", options.slurmOptions?.length ? JSON.stringify(options.slurmOptions) : undefined],
  ];
  return fields.filter(([, value]) => value !== undefined).map(([field, value]) => ({ field, value: String(value) }));
}

