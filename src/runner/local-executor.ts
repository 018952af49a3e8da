import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import type { Executor, LaunchedProcess, ProcessExit, ProcessHandle, RunningProcess, TaskLaunch } from "./executor.ts";
import { isSameProcess, processStartToken } from "./process-identity.ts";
import { readExitRecord, wrappedCommand } from "./task-wrapper.ts";

export interface LocalExecutorOptions {
  /** How often a task adopted from an earlier server is checked for its end (it is not our child). */
  adoptedPollMs?: number;
}

/**
 * Runs tasks as processes on this machine, each under the task wrapper (see
 * task-wrapper.ts). Each task leads its own process group and session
 * (`detached`), so a cancel reaches whatever the script started and the task
 * outlives the server if the server stops or crashes. stdout/stderr are the
 * log file itself: the script writes straight to disk, the server copies nothing.
 */
export function createLocalExecutor({ adoptedPollMs = 500 }: LocalExecutorOptions = {}): Executor {
  return {
    name: "local",

    async launch(launch: TaskLaunch): Promise<LaunchedProcess> {
      const [program, ...args] = wrappedCommand(launch.exitFile, launch.command);
      const logFd = openSync(launch.logFile, "a");
      try {
        const child = spawn(program!, args, {
          cwd: launch.cwd,
          env: launch.env,
          detached: true,
          stdio: ["pipe", logFd, logFd],
        });
        let watching = true;
        const exited = new Promise<ProcessExit>((resolve) => {
          child.once("exit", (exitCode, signal) => {
            if (!watching) return;
            // The wrapper's record is the script's outcome; without one (the wrapper was
            // killed too) the wrapper's own end is all there is to know.
            void readExitRecord(launch.exitFile).then((record) => resolve(record ?? { kind: "exited", exitCode, signal }));
          });
        });
        await new Promise<void>((resolve, reject) => {
          child.once("spawn", resolve);
          child.once("error", reject);
        });
        // The server must not wait for its tasks when it exits.
        child.unref();
        // Writing to a wrapper that is already gone is not an error worth reporting.
        child.stdin!.on("error", () => {});
        const pid = child.pid!;
        return {
          pid,
          startToken: (await processStartToken(pid)) ?? null,
          exitFile: launch.exitFile,
          exited,
          signal: (signal) => signalGroup(pid, signal),
          release: () => child.stdin!.end("go\n"),
          abandon: () => child.stdin!.end(),
          detach: () => {
            watching = false;
          },
        };
      } finally {
        closeSync(logFd);
      }
    },

    async adopt(handle: ProcessHandle): Promise<RunningProcess> {
      const watch = watchUntilGone(handle, adoptedPollMs);
      return {
        ...handle,
        exited: watch.exited,
        signal: (signal) => signalGroup(handle.pid, signal),
        detach: watch.stop,
      };
    },
  };
}

/**
 * A process that is not our child cannot be waited for: check now and then
 * whether it is still the same process, and read its record once it is gone.
 * This only happens for tasks adopted after a restart, never on an idle server.
 */
function watchUntilGone(handle: ProcessHandle, pollMs: number): { exited: Promise<ProcessExit>; stop(): void } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const exited = new Promise<ProcessExit>((resolve) => {
    const check = async () => {
      if (stopped) return;
      if (await isSameProcess(handle.pid, handle.startToken)) {
        if (stopped) return;
        timer = setTimeout(() => void check(), pollMs);
        return;
      }
      resolve((await readExitRecord(handle.exitFile)) ?? { kind: "lost" });
    };
    void check();
  });
  return {
    exited,
    stop() {
      stopped = true;
      clearTimeout(timer);
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
