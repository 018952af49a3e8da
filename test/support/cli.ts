import { spawn } from "node:child_process";
import { cubqueueCommand } from "./runtime.ts";

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment for a CubQueue process: this one's, with CUBQUEUE_* variables cleared unless
 * given (but CUBQUEUE_LAUNCHER, which says how every server of a test run starts its tasks), and without what npm sets for the scripts it runs (the CLI reads npm_lifecycle_event to
 * tell that npx ran it), so the test process's own launcher does not change what the CLI prints.
 */
export function cleanEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(clean)) if (key.startsWith("CUBQUEUE_") || key === "npm_lifecycle_event" || key === "npm_command") delete clean[key];
  // CI runs the crash suite once more with every server starting its tasks itself (--launcher off).
  if (process.env.CUBQUEUE_LAUNCHER) clean.CUBQUEUE_LAUNCHER = process.env.CUBQUEUE_LAUNCHER;
  return { ...clean, ...env };
}

/** Runs `cubqueue …` as a subprocess on the runtime under test (see runtime.ts). */
export function runCubqueue(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const { command, args: argv } = cubqueueCommand(args);
    const child = spawn(command, argv, { env: cleanEnv(env), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`cubqueue ${args.join(" ")} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A loopback port with nothing listening on it. */
export async function closedPort(): Promise<number> {
  const { createServer } = await import("node:net");
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
