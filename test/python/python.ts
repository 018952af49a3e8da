import { execFile, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { PYTHON, pythonHas, skipWithout } from "../support/prerequisites.ts";

export { PYTHON };

/** Whether the Python client's tests are skipped here: they need Python 3.8 or later, and nothing else. */
export const SKIP = skipWithout(pythonHas(), `Python 3.8 or later (${PYTHON}; set PYTHON to another)`);

/** The folder of the Python client (python/), put on PYTHONPATH so `import cubqueue` finds it. */
export const CLIENT_DIR = fileURLToPath(new URL("../../python/", import.meta.url));
export const HERE = fileURLToPath(new URL("./", import.meta.url));

const run = promisify(execFile);

/** Runs a Python program with the client importable; resolves with what it printed, as JSON. */
export async function runPython(args: string[], env: Record<string, string> = {}): Promise<unknown> {
  const { stdout } = await run(PYTHON, args, { env: { ...process.env, PYTHONPATH: CLIENT_DIR, PYTHONDONTWRITEBYTECODE: "1", ...env }, maxBuffer: 16 * 1024 * 1024 }).catch(
    (error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`${PYTHON} ${args.join(" ")} failed: ${error.message}\n${error.stderr ?? ""}`);
    },
  );
  return JSON.parse(stdout.trim().split("\n").at(-1)!);
}

/** Starts a Python program with the client importable, for a test that watches it while it runs. */
export function spawnPython(args: string[], env: Record<string, string> = {}) {
  return spawn(PYTHON, args, { env: { ...process.env, PYTHONPATH: CLIENT_DIR, PYTHONDONTWRITEBYTECODE: "1", ...env }, stdio: ["ignore", "pipe", "pipe"] });
}
