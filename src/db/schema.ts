import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** The states a task moves through: queued → running → succeeded | failed | cancelled, or queued → cancelled. */
export const TaskStatus = Object.freeze({
  queued: "queued",
  running: "running",
  succeeded: "succeeded",
  failed: "failed",
  cancelled: "cancelled",
} as const);
export type TaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus];
export const TASK_STATUSES = Object.values(TaskStatus) as [TaskStatus, ...TaskStatus[]];
export const FINISHED_STATUSES: readonly TaskStatus[] = [TaskStatus.succeeded, TaskStatus.failed, TaskStatus.cancelled];

export const scripts = sqliteTable("scripts", {
  name: text("name").primaryKey(),
  desc: text("desc").notNull(),
  /** File name under scripts/, the name plus the uploaded file's extension. */
  filename: text("filename").notNull(),
  sha256: text("sha256").notNull(),
  size: integer("size").notNull(),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  /** The current version: 1 when registered, one more each time it is replaced. */
  version: integer("version").notNull().default(1),
});

/** Every version a script has had; its file under scripts/ is always the current one's. */
export const scriptVersions = sqliteTable(
  "script_versions",
  {
    name: text("name").notNull(),
    version: integer("version").notNull(),
    desc: text("desc").notNull(),
    filename: text("filename").notNull(),
    sha256: text("sha256").notNull(),
    size: integer("size").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.name, table.version] })],
);

export const tasks = sqliteTable(
  "tasks",
  {
    /** Insertion order: lists page on it, the queue takes the lowest queued one first. */
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    id: text("id").notNull(),
    scriptName: text("script_name").notNull(),
    /** The script copy's file name inside the task folder. */
    scriptFilename: text("script_filename").notNull(),
    /** Which version of the script the task was given, and its sha256 (null for tasks older than versions). */
    scriptVersion: integer("script_version"),
    scriptSha256: text("script_sha256"),
    /** The argument file as submitted, before placeholders were resolved. */
    argFile: text("arg_file").notNull(),
    status: text("status", { enum: TASK_STATUSES }).notNull(),
    /** Why the task failed or was cancelled, in words. */
    error: text("error"),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    /** Set when someone asked to cancel a running task, before the signal is sent. */
    cancelRequestedAt: integer("cancel_requested_at", { mode: "timestamp_ms" }),
    finishedAt: integer("finished_at", { mode: "timestamp_ms" }),
    /** Number of attempts started; the latest attempt has this number. */
    attemptCount: integer("attempt_count").notNull().default(0),
    /** How many times a failed or timed-out attempt is run again (a cancel never is). */
    maxRetries: integer("max_retries").notNull().default(0),
    /** The wait before a retry, in ms; each further retry waits twice the one before when backoff is on. */
    retryDelayMs: integer("retry_delay_ms").notNull().default(0),
    retryBackoff: integer("retry_backoff", { mode: "boolean" }).notNull().default(false),
    /** How long one attempt may run, in ms; null for no limit. */
    timeoutMs: integer("timeout_ms"),
    /** attempt_count when the task was last restarted (0 if never): its retries count from there. */
    runStartAttempt: integer("run_start_attempt").notNull().default(0),
    /** A queued task is not claimed before this (a retry waiting out its delay). */
    notBefore: integer("not_before", { mode: "timestamp_ms" }),
    /** sbatch options passed through to each of its jobs, on a server that runs tasks on Slurm (a JSON array); null for none. */
    slurmOptions: text("slurm_options", { mode: "json" }).$type<string[]>(),
  },
  (table) => [
    uniqueIndex("tasks_id_unique").on(table.id),
    index("tasks_status_seq_idx").on(table.status, table.seq),
    index("tasks_script_seq_idx").on(table.scriptName, table.seq),
  ],
);

/** The large files uploaded with a task; `<fileN>` in the argument file is the one with placeholder N. */
export const taskFiles = sqliteTable(
  "task_files",
  {
    taskId: text("task_id").notNull(),
    placeholder: integer("placeholder").notNull(),
    originalName: text("original_name").notNull(),
    storedName: text("stored_name").notNull(),
    size: integer("size").notNull(),
    sha256: text("sha256").notNull(),
  },
  (table) => [primaryKey({ columns: [table.taskId, table.placeholder] })],
);

/** One run of a task's script. Kept apart from the task so retries can add more. */
export const taskAttempts = sqliteTable(
  "task_attempts",
  {
    taskId: text("task_id").notNull(),
    number: integer("number").notNull(),
    /** Which executor ran it ("local"); only that executor reads its handle. */
    executor: text("executor").notNull(),
    /**
     * The executor's own reference to the attempt, as JSON: `{pid, startToken}` for
     * the local executor, a job id for a cluster one. Only that executor reads it.
     */
    handle: text("handle"),
    /** The server instance that started the attempt (see server/instance.ts); only it recovers the attempt. */
    owner: text("owner"),
    startedAt: integer("started_at", { mode: "timestamp_ms" }).notNull(),
    finishedAt: integer("finished_at", { mode: "timestamp_ms" }),
    exitCode: integer("exit_code"),
    signal: text("signal"),
    /** How this attempt ended, in words (the task's `error` is its latest attempt's). */
    error: text("error"),
  },
  (table) => [primaryKey({ columns: [table.taskId, table.number] })],
);

export type ScriptRow = typeof scripts.$inferSelect;
export type ScriptVersionRow = typeof scriptVersions.$inferSelect;
export type TaskRow = typeof tasks.$inferSelect;
export type NewTaskRow = typeof tasks.$inferInsert;
export type TaskFileRow = typeof taskFiles.$inferSelect;
export type TaskAttemptRow = typeof taskAttempts.$inferSelect;
