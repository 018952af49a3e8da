import { readdir } from "node:fs/promises";
import { onTestFinished } from "vitest";
import { parseServerConfig, type ServerConfigInput } from "../../src/config.ts";
import { startServer, type RunningServer } from "../../src/server/start-server.ts";
import { makeTempDir } from "./temp-dir.ts";

export interface TestServer extends RunningServer {
  baseDir: string;
  /** fetch() relative to the server's URL. */
  request(path: string, init?: RequestInit): Promise<Response>;
  /** Errors the server logged (unexpected ones; a passing test expects none). */
  loggedErrors: unknown[];
}

/**
 * Starts a real server on a free port with its own base dir and libSQL file,
 * stopped and removed when the current test finishes.
 */
export async function startTestServer(overrides: Partial<ServerConfigInput> = {}): Promise<TestServer> {
  const dir = await makeTempDir();
  const loggedErrors: unknown[] = [];
  const server = await startServer(
    parseServerConfig({ baseDir: dir.path, port: 0, concurrency: 2, killGraceMs: 1_000, ...overrides }),
    {
      logError: (error, context) => {
        loggedErrors.push(error);
        console.error(`server error (${context ?? "?"}):`, error);
      },
    },
  );
  onTestFinished(async () => {
    // Tests leave no task processes behind.
    await server.stop({ cancelRunning: true });
    await dir.remove();
  });
  return {
    ...server,
    baseDir: dir.path,
    loggedErrors,
    request: (path, init) => fetch(`${server.url}${path}`, init),
  };
}

/** Names in a folder, or [] when it does not exist. */
export async function listDir(path: string): Promise<string[]> {
  return readdir(path).catch(() => []);
}
