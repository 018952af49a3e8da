import { desc } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * The states a task moves through: queued → running → succeeded | failed | cancelled, or
 * queued → cancelled. A queued task may be held (kept from starting until released), and a
 * running one suspended (its processes stopped until resumed).
 */
export const TaskStatus = Object.freeze({
  queued: "queued",
  held: "held",
  running: "running",
  suspended: "suspended",
  succeeded: "succeeded",
  failed: "failed",
  cancelled: "cancelled",
} as const);
export type TaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus];
export const TASK_STATUSES = Object.values(TaskStatus) as [TaskStatus, ...TaskStatus[]];
export const FINISHED_STATUSES: readonly TaskStatus[] = [TaskStatus.succeeded, TaskStatus.failed, TaskStatus.cancelled];
/** Not started yet: what can still be edited, and what a dependency's failure cancels. */
export const WAITING_STATUSES: readonly TaskStatus[] = [TaskStatus.queued, TaskStatus.held];
/** An attempt is under way: its process exists (stopped, while suspended). */
export const ACTIVE_STATUSES: readonly TaskStatus[] = [TaskStatus.running, TaskStatus.suspended];

/** How a task waits for another (Slurm's words): for its success, or for its end whatever it was. */
export const DependencyKind = Object.freeze({ afterok: "afterok", afterany: "afterany" } as const);
export type DependencyKind = (typeof DependencyKind)[keyof typeof DependencyKind];

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
    /**
     * The server instance whose base dir holds the task's folder (see server/instance.ts): only
     * it runs the task or reads its files, when servers share a database. Null for tasks older
     * than that record, which any server of the database takes as its own.
     */
    home: text("home"),
    /** Higher starts first; equal ones oldest first. */
    priority: integer("priority").notNull().default(0),
    /** The CPU slots each attempt takes. */
    cpus: integer("cpus").notNull().default(1),
    /** How many GPUs each attempt takes (which ones is the attempt's). */
    gpus: integer("gpus").notNull().default(0),
    /** Variables set for every attempt, as a JSON object of strings; null for none. */
    env: text("env"),
    /** The array it was submitted in, if any (see taskArrays). */
    arrayId: text("array_id"),
    /**
     * True while a dependency is not met (see db/queries/queue.ts), kept by the transitions
     * whenever a dependency's state changes: so choosing the next task reads the queue's index
     * in order without looking at dependencies, however many tasks wait for them.
     */
    blocked: integer("blocked", { mode: "boolean" }).notNull().default(false),
    /** A name for people ("sample 42"); null for none. */
    name: text("name"),
    /** How far the latest attempt says it got (0-100), from its progress file; null before it said. */
    progress: real("progress"),
    /** What it said it was doing with its last progress. */
    progressMessage: text("progress_message"),
    /** An http(s) URL told of the task's end (or every change, see notifyOn); null for none. */
    notifyUrl: text("notify_url"),
    /** "finish": notifyUrl hears of the task's end only; "all": of every change of its state. */
    notifyOn: text("notify_on", { enum: ["finish", "all"] }).notNull().default("finish"),
    /** sbatch options passed through to each of its jobs, on a server that runs tasks on Slurm (a JSON array); null for none. */
    slurmOptions: text("slurm_options", { mode: "json" }).$type<string[]>(),
  },
  (table) => [
    uniqueIndex("tasks_id_unique").on(table.id),
    index("tasks_status_seq_idx").on(table.status, table.seq),
    index("tasks_script_seq_idx").on(table.scriptName, table.seq),
    // The order the queue starts tasks in, so that choosing the next one reads the first rows only.
    index("tasks_queue_order_idx").on(table.status, table.blocked, desc(table.priority), table.seq),
    index("tasks_array_status_idx").on(table.arrayId, table.status),
  ],
);

/** What a task waits for before it may start: other tasks, each to succeed (afterok) or to end (afterany). */
export const taskDependencies = sqliteTable(
  "task_dependencies",
  {
    taskId: text("task_id").notNull(),
    dependsOn: text("depends_on").notNull(),
    kind: text("kind", { enum: [DependencyKind.afterok, DependencyKind.afterany] }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.taskId, table.dependsOn] }), index("task_dependencies_depends_on_idx").on(table.dependsOn)],
);

/** Labels on a task (`project=beta`), to find it by: one value per key. */
export const taskTags = sqliteTable(
  "task_tags",
  {
    taskId: text("task_id").notNull(),
    key: text("key").notNull(),
    value: text("value").notNull(),
  },
  (table) => [primaryKey({ columns: [table.taskId, table.key] }), index("task_tags_key_value_idx").on(table.key, table.value)],
);

/** Tasks submitted together in one request, and how many of them may run at once. */
export const taskArrays = sqliteTable("task_arrays", {
  id: text("id").primaryKey(),
  /** At most this many of its tasks run at once (Slurm's %K); null for no limit. */
  maxRunning: integer("max_running"),
  size: integer("size").notNull(),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
});

/** What a server keeps about its own queue: whether it is paused. One row per server instance. */
export const queueStates = sqliteTable("queue_states", {
  instance: text("instance").primaryKey(),
  paused: integer("paused", { mode: "boolean" }).notNull().default(false),
  changedAt: integer("changed_at", { mode: "timestamp_ms" }).notNull(),
});

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
  // By hash: whether a stored blob is still used by a task (see store/blob-store.ts).
  (table) => [primaryKey({ columns: [table.taskId, table.placeholder] }), index("task_files_sha256").on(table.sha256)],
);

/**
 * The files of the blob store (blobs/<ab>/<sha256>), one row per content this server
 * keeps. Tasks' files are hard links to them. Size and modification time are those
 * the file had when stored: a blob whose file no longer has them was changed (a
 * script writing to its input) and is no longer offered for reuse.
 */
export const blobs = sqliteTable(
  "blobs",
  {
    /** The server instance whose base dir holds it (see server/instance.ts). */
    home: text("home").notNull(),
    sha256: text("sha256").notNull(),
    size: integer("size").notNull(),
    /** The file's st_mtime in whole milliseconds (what every runtime reports alike). */
    mtimeMs: integer("mtime_ms").notNull(),
    storedAt: integer("stored_at", { mode: "timestamp_ms" }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.home, table.sha256] })],
);

/** What a resumable upload session is in (see uploads/upload-sessions.ts). */
export const UploadState = Object.freeze({ open: "open", complete: "complete", expired: "expired" } as const);
export type UploadState = (typeof UploadState)[keyof typeof UploadState];

/**
 * Resumable upload sessions (the tus protocol). The bytes received so far are the
 * file cubqueue.uploads/<id>: its size is the session's offset, so a crash loses
 * nothing that reached the disk.
 */
export const uploads = sqliteTable("uploads", {
  id: text("id").primaryKey(),
  home: text("home").notNull(),
  length: integer("length").notNull(),
  /** The file name the client gave (Upload-Metadata `filename`), "" if none. */
  filename: text("filename").notNull(),
  /** The sha256 the client said the whole file has (Upload-Metadata `sha256`): checked at the end. */
  declaredSha256: text("declared_sha256"),
  state: text("state", { enum: ["open", "complete", "expired"] }).notNull(),
  /** Once complete: the blob it became. */
  sha256: text("sha256"),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  /** Past this, an open session is abandoned: its bytes are removed. Each PATCH moves it on. */
  expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
});

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
    /** The CPU slots it holds. */
    cpus: integer("cpus").notNull().default(1),
    /** The ids of the GPUs it holds, comma-separated ("" for none; null when its executor chose them). */
    gpus: text("gpus"),
    /** When it was last suspended, while it is; null while it runs. */
    suspendedAt: integer("suspended_at", { mode: "timestamp_ms" }),
    /** How long it has been suspended in all, before `suspendedAt`: its time limit does not count that. */
    suspendedMs: integer("suspended_ms").notNull().default(0),
  },
  (table) => [primaryKey({ columns: [table.taskId, table.number] })],
);

export type ScriptRow = typeof scripts.$inferSelect;
export type ScriptVersionRow = typeof scriptVersions.$inferSelect;
export type TaskRow = typeof tasks.$inferSelect;
export type NewTaskRow = typeof tasks.$inferInsert;
export type TaskFileRow = typeof taskFiles.$inferSelect;
export type TaskAttemptRow = typeof taskAttempts.$inferSelect;
export type TaskDependencyRow = typeof taskDependencies.$inferSelect;
export type TaskArrayRow = typeof taskArrays.$inferSelect;
export type TaskTagRow = typeof taskTags.$inferSelect;
export type BlobRow = typeof blobs.$inferSelect;
export type UploadRow = typeof uploads.$inferSelect;
