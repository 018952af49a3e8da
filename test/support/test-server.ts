import { readdir } from "node:fs/promises";
import { onTestFinished } from "vitest";
import { parseServerConfig, type ServerConfigInput } from "../../src/config.ts";
import { startServer, type RunningServer } from "../../src/server/start-server.ts";
import { startServerProcess } from "./process-server.ts";
import { SERVER_MODE } from "./runtime.ts";
import { makeTempDir } from "./temp-dir.ts";

export interface TestServer {
  url: string;
  baseDir: string;
  /** The process that serves: this one in-process, else the server's own. */
  pid: number;
  /** fetch() relative to the server's URL. */
  request(path: string, init?: RequestInit): Promise<Response>;
  /** Stops it, cancelling its running tasks; also done when the test finishes. */
  stop(): Promise<void>;
  /**
   * Errors the server logged (unexpected ones; a passing test expects none):
   * the errors themselves in-process, the lines it wrote to stderr otherwise.
   */
  loggedErrors: unknown[];
  /** The server's parts, only when it runs inside the test process (CUBQUEUE_TEST_SERVER unset). */
  inProcess?: RunningServer;
}

/** Why a test that looks at a server's internals is skipped when the server is a separate process. */
export const IN_PROCESS_ONLY = SERVER_MODE !== "in-process" ? `needs the server inside the test process (CUBQUEUE_TEST_SERVER=${SERVER_MODE})` : undefined;

/**
 * Starts a real server on a free port with its own base dir and libSQL file,
 * stopped and removed when the current test finishes. With CUBQUEUE_TEST_SERVER
 * set, it is a `cubqueue start` process on that runtime (see runtime.ts).
 */
export async function startTestServer(overrides: Partial<ServerConfigInput> = {}): Promise<TestServer> {
  const dir = await makeTempDir();
  // A test may put the base dir elsewhere (e.g. on a small file system); it then removes it itself.
  const baseDir = overrides.baseDir ?? dir.path;
  const settings = { concurrency: 2, killGraceMs: 1_000, ...overrides };
  let server: Omit<TestServer, "request" | "stop">;
  let stop: () => Promise<void>;
  if (SERVER_MODE === "in-process") {
    const loggedErrors: unknown[] = [];
    const running = await startServer(parseServerConfig({ baseDir, port: 0, ...settings }), {
      logError: (error, context) => {
        loggedErrors.push(error);
        console.error(`server error (${context ?? "?"}):`, error);
      },
    });
    server = { url: running.url, baseDir: running.layout.baseDir, pid: process.pid, loggedErrors, inProcess: running };
    // Tests leave no task processes behind.
    stop = () => running.stop({ cancelRunning: true });
  } else {
    const running = await startServerProcess(baseDir, settings).catch(async (error) => {
      await dir.remove();
      throw error;
    });
    server = { url: running.url, baseDir, pid: running.pid, loggedErrors: running.stderrLines };
    stop = running.stop;
  }
  let stopped: Promise<void> | undefined;
  const stopOnce = () => (stopped ??= stop());
  onTestFinished(async () => {
    await stopOnce();
    await dir.remove();
  });
  return { ...server, stop: stopOnce, request: (path, init) => fetch(`${server.url}${path}`, init) };
}

/** Names in a folder, or [] when it does not exist. */
export async function listDir(path: string): Promise<string[]> {
  return readdir(path).catch(() => []);
}
