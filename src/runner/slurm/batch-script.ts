import { wrappedCommand } from "../task-wrapper.ts";

/**
 * The batch script of an attempt's job: the task wrapper (see task-wrapper.ts), exactly as
 * the local executor runs it, so the exit status reaches `cubqueue.exit` on the shared file
 * system and whatever the script leaves is ended on the node. Without a cgroup: Slurm holds
 * the job's processes itself. The job's hold is the gate (it is released only once its id is
 * recorded), so the wrapper's own gate is opened at once.
 */
export function batchScript({ taskId, attempt, exitFile, command }: { taskId: string; attempt: number; exitFile: string; command: readonly string[] }): string {
  const argv = wrappedCommand(exitFile, taskId, { dir: "", home: "" }, command);
  return [
    "#!/bin/sh",
    `# CubQueue task ${taskId}, attempt ${attempt}.`,
    `exec ${argv.map(shellQuote).join(" ")} <<'CUBQUEUE_GATE'`,
    "go",
    "CUBQUEUE_GATE",
    "",
  ].join("\n");
}

/** One word for sh, whatever it holds: in single quotes, each single quote written as '\''. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
