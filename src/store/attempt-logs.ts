import { rename, rm } from "node:fs/promises";
import { join } from "node:path";

/** What of a task's folder the attempt logs need. */
interface TaskLogPaths {
  dir: string;
  /** The latest attempt's log. */
  logFile: string;
}

/** The log of attempt `attempt` of `attempts`: log.txt for the latest, log.<n>.txt for an earlier one. */
export function attemptLogFile(paths: TaskLogPaths, attempt: number, attempts: number): string {
  return attempt >= attempts ? paths.logFile : join(paths.dir, `log.${attempt}.txt`);
}

/**
 * Before attempt `attempt` (2 or more) starts, the previous attempt's log.txt
 * becomes log.<attempt-1>.txt, so that every attempt keeps its own log and
 * log.txt is always the latest's. Whatever a script put under that name (it is
 * CubQueue's) is replaced; a missing log.txt (a script that removed it) leaves
 * nothing to keep.
 */
export async function rotateAttemptLog(paths: TaskLogPaths, attempt: number): Promise<void> {
  if (attempt <= 1) return;
  const kept = join(paths.dir, `log.${attempt - 1}.txt`);
  await rm(kept, { recursive: true, force: true });
  await rename(paths.logFile, kept).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "ENOENT") throw error;
  });
}
