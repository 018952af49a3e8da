import { spawn } from "node:child_process";
import { open } from "node:fs/promises";
import { PRIVATE_FILE_MODE } from "../store/layout.ts";

/**
 * How the local executor starts a task's process: by the server itself (`startDirectly`), or
 * by the task launcher (see task-launcher.ts), which spares the server a fork per task. Both
 * start the same program in the same way; the executor cannot tell them apart.
 */
export interface ProcessStarter {
  /** "server" or "launcher": what starts tasks, as the server's info reports it. */
  readonly kind: "server" | "launcher";
  start(request: StartRequest): Promise<StartedProcess>;
  /** Lets go of what it holds (a launcher's process); tasks already started keep running. */
  close(): void;
}

export interface StartRequest {
  /** An absolute path. */
  program: string;
  args: readonly string[];
  cwd: string;
  /** The whole environment the process gets. */
  env: Readonly<Record<string, string>>;
  /**
   * The process's stdout and stderr: created for it, new (whatever is already there, a file,
   * FIFO or symlink, fails the start with EEXIST), private, and appended to (O_APPEND: every
   * write lands at the end, wherever a script moved it).
   */
  logFile: string;
}

/**
 * A process started in its own session, held at a gate (its stdin) until `release` writes
 * "go" to it; `abandon` closes the gate instead.
 */
export interface StartedProcess {
  pid: number;
  /**
   * How it ended, once it has; "unwatched" if whoever started it can no longer tell (the
   * launcher went away): the process may still run, and is watched by its pid from then on.
   */
  exited: Promise<{ exitCode: number | null; signal: NodeJS.Signals | null } | "unwatched">;
  release(): void;
  abandon(): void;
}

/** Starts processes from the server's own event loop: a fork of the whole server each time. */
export const startDirectly: ProcessStarter = {
  kind: "server",
  async start({ program, args, cwd, env, logFile }: StartRequest): Promise<StartedProcess> {
    const log = await open(logFile, "ax", PRIVATE_FILE_MODE);
    try {
      const child = spawn(program, args, { cwd, env, detached: true, stdio: ["pipe", log.fd, log.fd] });
      const exited = new Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.once("exit", (exitCode, signal) => resolve({ exitCode, signal })),
      );
      await new Promise<void>((resolve, reject) => {
        child.once("spawn", resolve);
        child.once("error", reject);
      });
      // The server must not wait for its tasks when it exits.
      child.unref();
      // Writing to a process that is already gone is not an error worth reporting.
      child.stdin!.on("error", () => {});
      return { pid: child.pid!, exited, release: () => child.stdin!.end("go\n"), abandon: () => child.stdin!.end() };
    } finally {
      await log.close();
    }
  },
  close() {},
};
