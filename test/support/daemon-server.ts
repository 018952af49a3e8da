import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, onTestFinished } from "vitest";
import { waitRunning, type Requester } from "./api.ts";
import { runCubqueue } from "./cli.ts";
import { makeTempDir } from "./temp-dir.ts";

/** A server started with `cubqueue start --daemon`: a real process, which a test may kill. */
export interface DaemonServer extends Requester {
  baseDir: string;
  url: string;
  pid: number;
}

/**
 * A temp base dir whose server (if any is left) is stopped, its tasks
 * cancelled, and which is removed when the test finishes.
 */
export async function daemonBaseDir(): Promise<string> {
  const dir = await makeTempDir();
  onTestFinished(async () => {
    await runCubqueue(["stop", "--cancel-running", "--base-dir", dir.path]);
    await dir.remove();
  });
  return dir.path;
}

/** Starts (or restarts) the server of a base dir in the background, on a free port. */
export async function startDaemon(baseDir: string, args: string[] = [], env: Record<string, string> = {}): Promise<DaemonServer> {
  // On a free port, unless the test names one (a restart that clients must find again).
  const port = args.includes("--port") ? [] : ["--port", "0"];
  const started = await runCubqueue(["start", "--daemon", "--json", "--base-dir", baseDir, ...port, ...args], env);
  expect(started, started.stderr).toMatchObject({ code: 0 });
  const { pid, url } = JSON.parse(started.stdout) as { pid: number; url: string };
  return { baseDir, url, pid, request: (path, init) => fetch(`${url}${path}`, init) };
}

/**
 * The pid of the process a running task runs in (its script, or its wrapper, which leads its
 * process group), once recorded: a script the task launcher started may run a moment before.
 */
export async function taskPid(server: Requester, taskId: string): Promise<number> {
  const task = await waitRunning(server, taskId);
  expect(task.pid, JSON.stringify(task)).toBeGreaterThan(0);
  return task.pid;
}

export async function readTaskLog(baseDir: string, taskId: string): Promise<string> {
  return readFile(join(baseDir, "tasks", taskId, "log.txt"), "utf8");
}
