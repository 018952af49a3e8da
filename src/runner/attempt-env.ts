import type { TaskRow } from "../db/schema.ts";
import type { Layout } from "../store/layout.ts";

/** The slots an attempt holds: its CPUs, and the ids of its GPUs (null when its executor chooses them). */
export interface AttemptSlots {
  cpus: number;
  gpus: readonly string[] | null;
}

/**
 * The environment of an attempt: the server's (without its secrets), the
 * task's own variables, then CubQueue's, which win: where the task's folder
 * and files are, and the slots it holds. Where the server hands out GPUs,
 * CUDA_VISIBLE_DEVICES names the attempt's own, none if it asked for none, so
 * a task never sees a GPU another one holds.
 */
export function attemptEnvironment(
  baseEnv: Readonly<Record<string, string>>,
  task: Pick<TaskRow, "id" | "env">,
  paths: ReturnType<Layout["taskPaths"]>,
  slots: AttemptSlots,
  { gpusManaged }: { gpusManaged: boolean },
): Record<string, string> {
  const gpus: Record<string, string> = {};
  if (slots.gpus !== null) {
    gpus.CUBQUEUE_GPUS = slots.gpus.join(",");
    if (gpusManaged) gpus.CUDA_VISIBLE_DEVICES = slots.gpus.join(",");
  }
  return {
    ...baseEnv,
    ...taskVariables(task.env),
    // Scripts' output should reach the log as it is written, not when a buffer fills.
    PYTHONUNBUFFERED: "1",
    CUBQUEUE_TASK_ID: task.id,
    CUBQUEUE_TASK_DIR: paths.dir,
    CUBQUEUE_ARG_FILE: paths.argFile,
    CUBQUEUE_FILES_DIR: paths.filesDir,
    CUBQUEUE_METADATA_DIR: paths.metadataDir,
    CUBQUEUE_OUTPUT_DIR: paths.outputDir,
    CUBQUEUE_PROGRESS_FILE: paths.progressFile,
    CUBQUEUE_CPUS: String(slots.cpus),
    ...gpus,
  };
}

/** A task's own variables as stored (a JSON object of strings); anything else reads as none. */
export function taskVariables(stored: string | null): Record<string, string> {
  if (stored === null) return {};
  try {
    const parsed: unknown = JSON.parse(stored);
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return {};
    return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
  } catch {
    return {};
  }
}
