import { join } from "node:path";
import { FINISHED, getTask, registerScript, submitTask } from "./api.ts";
import { writeScript } from "./files.ts";

/** The trivial task of the issue: a shell script that runs `true`. */
export const NOOP_SCRIPT = "#!/bin/sh\ntrue\n";

/** Writes noop.sh into dir and registers it as "noop"; returns its path. */
export async function registerNoop(url: string, dir: string): Promise<string> {
  const path = join(dir, "noop.sh");
  await writeScript(path, NOOP_SCRIPT);
  await registerScript(url, "noop", path);
  return path;
}

/**
 * Runs one noop task to its end and returns its id and folder, for rows that
 * then fill the folder themselves (the bench knows the base-dir layout).
 */
export async function finishedNoopTask(url: string, baseDir: string): Promise<{ taskId: string; taskDir: string }> {
  const { task_id } = await submitTask(url, "noop");
  for (const deadline = Date.now() + 10_000; ; ) {
    const task = await getTask(url, task_id);
    if (FINISHED.has(task.status)) break;
    if (Date.now() > deadline) throw new Error(`task ${task_id} did not finish within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return { taskId: task_id, taskDir: join(baseDir, "tasks", task_id) };
}
