import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { ServerConfigInput } from "../../src/config.ts";
import { requestStop } from "../../src/server/instance.ts";
import { createLayout } from "../../src/store/layout.ts";
import { cleanEnv } from "./cli.ts";
import { cubqueueCommand } from "./runtime.ts";
import { startArgsFor } from "./server-flags.ts";

export interface ServerProcess {
  url: string;
  pid: number;
  /** Lines the server wrote to stderr: where it reports unexpected errors. */
  stderrLines: string[];
  /** Ends it as `cubqueue stop --cancel-running` does (tests leave no task processes behind), and waits for it to exit. */
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 20_000;

/**
 * Starts `cubqueue start --base-dir DIR --port 0 …` as a process of the runtime
 * under test and returns once it has published its URL in the base dir, which
 * it does only after it listens.
 */
export async function startServerProcess(baseDir: string, overrides: Partial<ServerConfigInput>): Promise<ServerProcess> {
  const start = startArgsFor({ port: 0, ...overrides });
  const { command, args } = cubqueueCommand(["start", "--base-dir", baseDir, ...start.args]);
  const child = spawn(command, args, { env: cleanEnv(start.env), stdio: ["ignore", "ignore", "pipe"] });
  const stderrLines: string[] = [];
  let pending = "";
  child.stderr.on("data", (chunk: Buffer) => {
    process.stderr.write(chunk);
    const lines = (pending + chunk.toString()).split("\n");
    pending = lines.pop() ?? "";
    stderrLines.push(...lines.filter(Boolean));
  });
  let exit: string | undefined;
  const exited = new Promise<void>((resolve) => child.once("close", (code, signal) => ((exit = String(code ?? signal)), resolve())));
  child.once("error", (error) => (exit = error.message));

  const stop = async () => {
    if (exit !== undefined) return;
    // Its base dir may be gone already (a test that removed it): the process is stopped all the same.
    await requestStop(createLayout(baseDir), { cancelRunning: true }).catch(() => undefined);
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const url = (await readFile(join(baseDir, "cubqueue.url"), "utf8").catch(() => "")).trim();
    if (url) return { url, pid: child.pid!, stderrLines, stop };
    if (exit !== undefined || Date.now() > deadline) {
      await stop();
      throw new Error(`${command} ${args.join(" ")} ${exit === undefined ? "did not publish its URL in time" : `exited (${exit})`}:\n${stderrLines.join("\n")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
