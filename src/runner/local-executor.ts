import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import type { Executor, ProcessExit, RunningProcess, TaskLaunch } from "./executor.ts";

/**
 * Runs tasks as child processes of the server. Each task leads its own process
 * group (`detached`), so a cancel reaches whatever the script started, and its
 * stdout/stderr are the log file itself: the script writes straight to disk,
 * nothing is buffered or copied by the server.
 */
export function createLocalExecutor(): Executor {
  return {
    name: "local",
    async launch(launch: TaskLaunch): Promise<RunningProcess> {
      const [program, ...args] = launch.command;
      if (!program) throw new Error("Empty command");
      const logFd = openSync(launch.logFile, "a");
      try {
        const child = spawn(program, args, {
          cwd: launch.cwd,
          env: launch.env,
          detached: true,
          stdio: ["ignore", logFd, logFd],
        });
        const exited = new Promise<ProcessExit>((resolve) => {
          child.once("exit", (exitCode, signal) => resolve({ exitCode, signal }));
        });
        await new Promise<void>((resolve, reject) => {
          child.once("spawn", resolve);
          child.once("error", reject);
        });
        // The server must not wait for its tasks when it exits.
        child.unref();
        const pid = child.pid!;
        return {
          pid,
          exited,
          signal(signal) {
            signalGroup(pid, signal);
          },
        };
      } finally {
        closeSync(logFd);
      }
    },
  };
}

/** Signals a process group; a group that is already gone is not an error. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}
