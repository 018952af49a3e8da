import { spawn } from "node:child_process";
import { open } from "node:fs/promises";
import type { ProcessExit } from "./executor.ts";
import { killGroup } from "./process-group.ts";
import { PRIVATE_FILE_MODE } from "../store/layout.ts";
import { NOT_STARTED_STATUS, fromShellStatus, readExitRecord, wrappedCommand } from "./task-wrapper.ts";

/**
 * How the local executor starts a task's process and learns how it ended: by the server itself,
 * under the task wrapper's shell (`startDirectly`), or by the task launcher (see
 * task-launcher.ts), which starts the script itself and spares the server a fork per task.
 * Either way the task gets the same session, cgroup, environment, log and exit record, and its
 * start is known after a crash: the wrapper holds its script at a gate until the server has
 * recorded its pid; the launcher starts it at once and writes its pid in the exit record.
 */
export interface ProcessStarter {
  /** "server" or "launcher": what starts tasks. */
  readonly kind: "server" | "launcher";
  /**
   * Whether it makes each attempt's exit record and cgroup itself (and removes the cgroup once
   * the task has ended), as the launcher does; else the executor makes them before the start.
   */
  readonly prepares: boolean;
  start(request: StartRequest): Promise<StartedProcess>;
  /** Lets go of what it holds (a launcher's process); tasks already started keep running. */
  close(): void;
}

export interface StartRequest {
  /** The script's command: a program (a path, or a name looked up on the PATH of `env`) and its arguments. */
  command: readonly string[];
  cwd: string;
  /** The whole environment the process gets. */
  env: Readonly<Record<string, string>>;
  /**
   * The process's stdout and stderr: created for it, new (whatever is already there, a file,
   * FIFO or symlink, fails the start with EEXIST), private, and appended to (O_APPEND: every
   * write lands at the end, wherever a script moved it).
   */
  logFile: string;
  /** The attempt's exit record: made empty beforehand, or by a starter that `prepares` (see task-wrapper.ts for what is written there). */
  exitFile: string;
  taskId: string;
  /** The attempt's cgroup ("" for none; made if it is missing) and the cgroup it was made in. */
  cgroup: { dir: string; home: string };
}

/**
 * A process started in its own session. Under the wrapper it is held at a gate until `release`,
 * and `abandon` closes the gate instead: the script never runs. The launcher's runs at once:
 * `release` changes nothing, and `abandon` ends it.
 */
export interface StartedProcess {
  pid: number;
  /** When it started, if the starter read it as it started it (see process-identity.ts; null: it had already ended). */
  startToken?: string | null;
  /**
   * How it ended, once it has, and whether what it left running was ended with it (its process
   * group, and its cgroup or what carries its id; else the executor ends them). "unwatched" if
   * whoever started it can no longer tell (the launcher went away): the process may still run,
   * and is watched by its pid from then on.
   */
  exited: Promise<{ outcome: ProcessExit; leftoversEnded: boolean } | "unwatched">;
  release(): void;
  abandon(): void;
}

/** Starts tasks from the server's own event loop, under the task wrapper: a fork of the whole server each time. */
export const startDirectly: ProcessStarter = {
  kind: "server",
  prepares: false,
  async start({ command, cwd, env, logFile, exitFile, taskId, cgroup }: StartRequest): Promise<StartedProcess> {
    const [program, ...args] = wrappedCommand(exitFile, taskId, cgroup, command);
    const log = await open(logFile, "ax", PRIVATE_FILE_MODE);
    try {
      const child = spawn(program!, args, { cwd, env, detached: true, stdio: ["pipe", log.fd, log.fd] });
      const exited = new Promise<{ outcome: ProcessExit; leftoversEnded: boolean }>((resolve) =>
        child.once("exit", (exitCode, signal) => {
          // A wrapper that exited by itself has ended the rest but its own group, which it led
          // (a process that stayed in it but cleared its task id escapes its search); one that was
          // killed could end nothing.
          const leftoversEnded = signal === null;
          if (leftoversEnded) killGroup(child.pid!);
          void outcomeOfWrapper(exitCode, signal, exitFile).then((outcome) => resolve({ outcome, leftoversEnded }));
        }),
      );
      await new Promise<void>((resolve, reject) => {
        child.once("spawn", resolve);
        child.once("error", reject);
      });
      // The server must not wait for its tasks when it exits.
      child.unref();
      // Writing to a wrapper that is already gone is not an error worth reporting.
      child.stdin!.on("error", () => {});
      return { pid: child.pid!, exited, release: () => child.stdin!.end("go\n"), abandon: () => child.stdin!.end() };
    } finally {
      await log.close();
    }
  },
  close() {},
};

/**
 * How a wrapper ended, as its script's outcome. A wrapper that exited by itself exits with its
 * script's status (see task-wrapper.ts), so that is read from the exit itself, not from the
 * record, except for the status it also uses when the gate closed (125). A wrapper that was
 * killed recorded what it could; without a record (it was killed before the script ended) its
 * own end is all there is to know.
 */
async function outcomeOfWrapper(exitCode: number | null, signal: NodeJS.Signals | null, exitFile: string): Promise<ProcessExit> {
  if (signal === null && exitCode !== null && exitCode !== NOT_STARTED_STATUS) return fromShellStatus(exitCode);
  return (await readExitRecord(exitFile)) ?? { kind: "exited", exitCode, signal };
}
