import { spawn, type ChildProcess } from "node:child_process";
import { openSync, closeSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { pollUntil, sleep } from "./timing.ts";

/** The built CLI, run as users run it. */
export const CLI_ENTRY = fileURLToPath(new URL("../../cli/main.js", import.meta.url));

export interface ServerProcess {
  url: string;
  pid: number;
  baseDir: string;
  /** Stops the server (TERM, KILL after 10 s) and waits for it to exit. */
  stop(): Promise<void>;
}

/** A loopback port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts `cubqueue start` as its own process on a loopback port, so its memory
 * and CPU can be read from /proc without the bench's own mixed in. Its output
 * goes to `<logDir>/server-<port>.log`.
 */
export async function startServerProcess(options: { baseDir: string; logDir: string; concurrency?: number; args?: string[] }): Promise<ServerProcess> {
  const port = await freePort();
  const logPath = join(options.logDir, `server-${port}.log`);
  const logFd = openSync(logPath, "a");
  let child: ChildProcess;
  try {
    const env = { ...process.env };
    for (const key of Object.keys(env)) if (key.startsWith("CUBQUEUE_")) delete env[key];
    child = spawn(
      process.execPath,
      [
        CLI_ENTRY,
        "start",
        "--base-dir",
        options.baseDir,
        "--host",
        "127.0.0.1",
        "--port",
        String(port),
        ...(options.concurrency === undefined ? [] : ["--concurrency", String(options.concurrency)]),
        "--kill-grace",
        "1",
        ...(options.args ?? []),
      ],
      { env, stdio: ["ignore", logFd, logFd] },
    );
  } finally {
    closeSync(logFd);
  }
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  const url = `http://127.0.0.1:${port}`;
  try {
    await pollUntil(
      "the server to answer",
      async () => {
        if (hasExited) throw new Error(`the server exited at start; see ${logPath}`);
        const response = await fetch(`${url}/api/script`).catch(() => undefined);
        await response?.body?.cancel();
        return response?.ok ? true : undefined;
      },
      30_000,
      25,
    );
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }

  let stopping: Promise<void> | undefined;
  return {
    url,
    pid: child.pid!,
    baseDir: options.baseDir,
    stop: () =>
      (stopping ??= (async () => {
        if (hasExited) return;
        child.kill("SIGTERM");
        // Not ref'd: once the server is gone, this wait must not keep the bench alive for its 10 s.
        const killed = await Promise.race([exited.then(() => false), sleep(10_000, true, { ref: false })]);
        if (killed) {
          child.kill("SIGKILL");
          await exited;
        }
      })()),
  };
}
