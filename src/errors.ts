/**
 * Every failure CubQueue reports to a caller is an AppError: a machine-readable
 * code, a human message and the HTTP status it maps to. The API turns them into
 * `{"error": {"code", "message"}}` in one place (see api/error-handler.ts).
 */
export class AppError extends Error {
  constructor(
    readonly status: 400 | 401 | 404 | 409 | 413 | 500 | 503 | 507,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "AppError";
  }
}

export const badRequest = (code: string, message: string) => new AppError(400, code, message);

export const scriptNotFound = (name: string) =>
  new AppError(404, "script_not_found", `No script named "${name}" is registered; see \`cubqueue namespace\` for the registered ones.`);

export const scriptNameTaken = (name: string) =>
  new AppError(409, "script_name_taken", `A script named "${name}" is already registered; choose another name.`);

export const invalidScriptName = (name: string) =>
  new AppError(
    400,
    "invalid_script_name",
    `Invalid script name "${name}": use 1-64 letters, digits or underscores.`,
  );

export const taskNotFound = (id: string) => new AppError(404, "task_not_found", `No task with id "${id}".`);

export const taskFinished = (id: string, status: string) =>
  new AppError(409, "task_finished", `Task ${id} has already finished (${status}); there is nothing to cancel.`);

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
