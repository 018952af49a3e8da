/**
 * Every failure CubQueue reports to a caller is an AppError: a machine-readable
 * code, a human message and the HTTP status it maps to. The API turns them into
 * `{"error": {"code", "message"}}` in one place (see api/error-handler.ts).
 */
export class AppError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 408 | 409 | 410 | 412 | 413 | 415 | 460 | 500 | 503 | 507,
    readonly code: string,
    message: string,
    /** Headers the answer carries besides the JSON body (a resumable upload's right offset). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = "AppError";
  }
}

export const badRequest = (code: string, message: string) => new AppError(400, code, message);

export const scriptNotFound = (name: string) =>
  new AppError(404, "script_not_found", `No script named "${name}" is registered; see \`cubqueue namespace\` for the registered ones.`);

export const scriptNameTaken = (name: string) =>
  new AppError(
    409,
    "script_name_taken",
    `A script named "${name}" is already registered; choose another name, or store this one as its next version with \`cubqueue register --replace\` (API field replace=true).`,
  );

/** A replace names a script that does not exist: replacing never creates one, so a typo cannot register a stray name. */
export const nothingToReplace = (name: string) =>
  new AppError(
    404,
    "script_not_found",
    `No script named "${name}" is registered, so there is nothing to replace; register it without --replace (replace=true) to create it.`,
  );

/** Registering a file nothing can run (see runner/launch-rule.ts). */
export const scriptNotRunnable = (filename: string, extensions: string) =>
  new AppError(
    400,
    "script_not_runnable",
    `The script "${filename}" could never run: its first line is not a shebang (such as "#!/usr/bin/env python3"), its extension names no interpreter CubQueue knows (${extensions}), and it is not a compiled program. Add a shebang line, or register it with one of those extensions.`,
  );

/** The stored script file is not the version its record names (changed on disk, or a replace cut short by a crash). */
export const scriptFileMismatch = (name: string, version: number) =>
  new AppError(
    409,
    "script_file_mismatch",
    `The file of script "${name}" no longer matches its version ${version} on record (it was changed on disk, or a replace was cut short), so no task is given it; register it again with --replace.`,
  );

/** The stored script file is not there: removed by hand, or registered by another server sharing the database. */
export const scriptFileMissing = (name: string, filename: string) =>
  new AppError(
    409,
    "script_file_missing",
    `The file of script "${name}" (scripts/${filename}) is not in this server's base dir: it was removed by hand, or the script was registered on another CubQueue server sharing this database. Register it again with --replace, or submit to the server that has it.`,
  );

export const invalidScriptName = (name: string) =>
  new AppError(
    400,
    "invalid_script_name",
    `Invalid script name "${name}": use 1-64 letters, digits or underscores.`,
  );

/** Registering a script whose stored file name would collide with CubQueue's own files (see layout.ts). */
export const reservedScriptName = (filename: string, why: string) =>
  new AppError(
    400,
    "reserved_script_name",
    `A script stored as "${filename}" would collide with CubQueue's own files (${why}); register it under another name or with another extension.`,
  );

/** Submitting to a script registered before such names were refused: running it would clobber the task's own files. */
export const scriptNameReserved = (name: string, filename: string, why: string) =>
  new AppError(
    409,
    "reserved_script_name",
    `The script "${name}" is stored as "${filename}", which collides with CubQueue's own files (${why}), so it cannot run; register it again under another name or with another extension and submit to that.`,
  );

export const taskNotFound = (id: string) => new AppError(404, "task_not_found", `No task with id "${id}".`);

export const attemptNotFound = (id: string, attempt: number, attempts: number) =>
  new AppError(
    404,
    "attempt_not_found",
    attempts === 0
      ? `Task "${id}" has not run yet, so it has no attempt ${attempt}.`
      : `Task "${id}" has ${attempts} attempt${attempts === 1 ? "" : "s"}: ask for one from 1 to ${attempts}, not ${attempt}.`,
  );

export const taskFinished = (id: string, status: string) =>
  new AppError(409, "task_finished", `Task ${id} has already finished (${status}); there is nothing to cancel.`);

export const taskNotFinished = (id: string, status: string, action: "restarted" | "deleted" = "restarted") =>
  new AppError(
    409,
    "task_not_finished",
    `Task ${id} is ${status}: only a finished task can be ${action}; cancel it first, or wait for it to finish.`,
  );

/** A task in another state than the one an action needs (hold a queued task, resume a suspended one, …). */
export const taskInWrongState = (id: string, status: string, action: string, needed: "queued" | "held" | "running" | "suspended" | "waiting") =>
  new AppError(
    409,
    `task_not_${needed}`,
    `Task ${id} is ${status}: only a ${needed === "waiting" ? "queued or held" : needed} task can be ${action}.`,
  );

/** The task's script put something other than a regular file (FIFO, symlink, directory, hard link) in log.txt's place. */
export const logUnreadable = (id: string, found: string) =>
  new AppError(
    409,
    "log_unreadable",
    `log.txt of task ${id} is not a regular file (the script replaced it with a ${found}); nothing is served. Download the task's output or metadata instead.`,
  );

/** The script has ended but its outcome is not in the database yet (the write is being retried). */
export const taskFinishing = (id: string) =>
  new AppError(
    409,
    "task_finishing",
    `Task ${id} has ended; its outcome is being recorded (the server cannot write to its database yet, e.g. its disk is full). Ask again later.`,
  );

/** Servers sharing one database each run, and keep the files of, the tasks submitted to them. */
export const taskOnOtherServer = (id: string) =>
  new AppError(
    409,
    "task_on_other_server",
    `Task ${id} belongs to another CubQueue server sharing this database: its folder is in that server's base dir, and that server runs it. Ask that server.`,
  );

export const blobNotFound = (number: number, sha256: string) =>
  new AppError(
    400,
    "blob_not_found",
    `file${number}_sha256 names content this server does not store (sha256 ${sha256}): upload the file as "file${number}" instead, or by a resumable upload first (/api/upload).`,
  );

export const payloadTooLarge = (message: string) => new AppError(413, "payload_too_large", message);

export const insufficientStorage = (message: string) => new AppError(507, "insufficient_storage", message);

const DISK_FULL_CODES = new Set(["ENOSPC", "EDQUOT", "SQLITE_FULL"]);

/**
 * Errors that mean "the disk is full", as opposed to a bug: from the file
 * system, or from the database (which may wrap it as the cause of its own).
 */
export function isDiskFull(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (DISK_FULL_CODES.has(String((current as { code?: unknown }).code))) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * The request body stopped before the multipart form was complete: the client
 * disconnected, or the body ended or failed halfway. Nothing from it was kept.
 */
export const uploadInterrupted = () =>
  new AppError(
    400,
    "upload_interrupted",
    "The upload was interrupted before the whole multipart body arrived; nothing was stored, please send it again.",
  );
