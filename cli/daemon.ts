import { spawn } from "node:child_process";
import { closeSync, fstatSync, openSync } from "node:fs";
import { mkdir, open } from "node:fs/promises";
import type { ServerConfig } from "../src/config.ts";
import { selfCommand } from "../src/runtime/self-command.ts";
import { forgetStaleServer, isProcessAlive, isRecordedServerRunning, readRecordedPid, readRecordedUrl, requestStop } from "../src/server/instance.ts";
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, createLayout } from "../src/store/layout.ts";
import { CliError } from "./cli-error.ts";

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 60_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts the server as a detached background process whose output goes to
 * <base-dir>/cubqueue.log, and returns once it answers HTTP. When it fails to
 * start, the error it printed is the error thrown here.
 */
export async function startDaemon(config: ServerConfig, startArgs: readonly string[]): Promise<{ pid: number; url: string }> {
  const layout = createLayout(config.baseDir);
  await mkdir(config.baseDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const logFd = openSync(layout.daemonLog, "a", PRIVATE_FILE_MODE);
  const logStart = fstatSync(logFd).size;
  const self = selfCommand();
  let exited: number | string | null | undefined;
  let pid: number | undefined;
  try {
    const child = spawn(self.command, [...self.args, "start", "--base-dir", config.baseDir, ...startArgs], {
      detached: true,
      stdio: ["ignore", logFd, logFd],
      // The token goes through the environment: arguments are visible to every user in `ps`.
      env: config.token === undefined ? process.env : { ...process.env, CUBQUEUE_TOKEN: config.token },
    });
    child.once("exit", (code, signal) => (exited = code ?? signal));
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", reject);
    });
    child.unref();
    pid = child.pid!;
  } finally {
    closeSync(logFd);
  }

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited !== undefined) {
      const printed = await lastLine(layout.daemonLog, logStart);
      throw new CliError(printed ? printed.replace(/^cubqueue: /, "") : `The server exited (${exited}) before it answered; see ${layout.daemonLog}.`);
    }
    const url = (await readRecordedPid(layout)) === pid ? await readRecordedUrl(layout) : undefined;
    if (url && (await answers(url))) return { pid, url };
    await sleep(50);
  }
  process.kill(pid, "SIGTERM");
  throw new CliError(`The server did not answer within ${READY_TIMEOUT_MS / 1000} s; see ${layout.daemonLog}.`);
}

/**
 * Stops the server recorded in a base dir and waits until its process is gone.
 * Its running tasks keep running unless `cancelRunning`.
 */
export async function stopServer(
  baseDir: string,
  { cancelRunning = false }: { cancelRunning?: boolean } = {},
): Promise<{ kind: "stopped" | "stale"; pid: number }> {
  const layout = createLayout(baseDir);
  const pid = await readRecordedPid(layout);
  if (pid === undefined) {
    throw new CliError(`No CubQueue server is recorded in ${baseDir} (no cubqueue.pid); there is nothing to stop.`);
  }
  if (!(await isRecordedServerRunning(layout))) {
    await forgetStaleServer(layout);
    return { kind: "stale", pid };
  }
  await requestStop(layout, { cancelRunning });
  process.kill(pid, "SIGTERM");
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (isProcessAlive(pid)) {
    if (Date.now() > deadline) {
      throw new CliError(`The server (pid ${pid}) did not stop within ${STOP_TIMEOUT_MS / 1000} s; end it with \`kill -9 ${pid}\`.`);
    }
    await sleep(50);
  }
  return { kind: "stopped", pid };
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/openapi.json`, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

/** The last non-empty line written to a file after the given offset. */
async function lastLine(path: string, from: number): Promise<string | undefined> {
  const handle = await open(path, "r");
  try {
    const size = (await handle.stat()).size;
    const start = Math.max(from, size - 4096);
    const buffer = Buffer.alloc(size - start);
    await handle.read(buffer, 0, buffer.length, start);
    return buffer.toString("utf8").split("\n").map((line) => line.trim()).filter(Boolean).at(-1);
  } finally {
    await handle.close();
  }
}
