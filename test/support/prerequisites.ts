import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

/**
 * Whether tests that need something of the machine (a browser, a Python with requests) must be
 * skipped here. Where it is present they run. Under CI (CI set, as it is for .ci/run, which
 * installs all of them) they run anyway and fail, so a missing install step cannot pass unseen.
 * Elsewhere they are skipped, and say what they need.
 */
export function skipWithout(available: boolean, what: string): boolean {
  if (available || process.env.CI) return false;
  console.warn(`skipped: these tests need ${what}`);
  return true;
}

/** The Python the tests run: PYTHON if set (.ci/run sets it), else python3. */
export const PYTHON = process.env.PYTHON ?? "python3";

/** Whether PYTHON runs and can import these modules. */
export function pythonHas(modules: string[] = []): boolean {
  try {
    execFileSync(PYTHON, ["-c", `import sys; assert sys.version_info >= (3, 8); ${modules.map((name) => `import ${name}`).join("; ")}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

export const chromiumAt = (path: string) => existsSync(path);
