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
 * Before an attempt starts, the log.txt of the attempt before it that ran
 * (`previous`; attempts that never started wrote none) becomes
 * log.<previous>.txt, so that every attempt keeps its own log and log.txt is
 * always the latest's. Whatever a script put under that name (it is
 * CubQueue's) is replaced; a log.txt that belongs to no attempt is removed.
 */
export async function rotateAttemptLog(paths: TaskLogPaths, previous: number | undefined): Promise<void> {
  if (previous === undefined) {
    await rm(paths.logFile, { recursive: true, force: true });
    return;
  }
  const kept = join(paths.dir, `log.${previous}.txt`);
  await rm(kept, { recursive: true, force: true });
  await rename(paths.logFile, kept).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "ENOENT") throw error;
  });
}
