import { spawn } from "node:child_process";
import { nowMs } from "./timing.ts";

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit. */
  ms: number;
}

export interface RunOptions {
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Runs a program to its end (killed after timeoutMs), collecting its output and wall time. */
export function run(program: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const start = nowMs();
    const child = spawn(program, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${program} ${args.join(" ")} did not finish in ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: nowMs() - start });
    });
  });
}

/** Like run, but rejects unless the program exits 0. */
export async function runOk(program: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const result = await run(program, args, options);
  if (result.code !== 0) {
    throw new Error(`${program} ${args.join(" ")} exited with ${result.code}: ${result.stderr.trim().slice(0, 300)}`);
  }
  return result;
}

/** Runs a /bin/sh command line (for pipelines), rejecting unless it exits 0. */
export const sh = (command: string, options: RunOptions) => runOk("/bin/sh", ["-c", command], options);

/** The absolute path of a program on PATH, or undefined. */
export async function which(program: string): Promise<string | undefined> {
  const result = await run("/bin/sh", ["-c", `command -v ${program}`], { timeoutMs: 5_000 });
  const path = result.stdout.trim();
  return result.code === 0 && path.startsWith("/") ? path : undefined;
}
