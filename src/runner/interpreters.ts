import { execFile } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";
import { INTERPRETER_BY_EXTENSION, type LaunchRule } from "./launch-rule.ts";

export type Interpreters = ReadonlyMap<string, string>;

/**
 * Resolves every known interpreter to an absolute path once, at start: looking
 * programs up on PATH for each task costs time, and on some machines `python3`
 * is a version-manager shim that costs far more (see settleRealPython). Overrides
 * win; a program that is not installed is simply absent, and a task that needs
 * it fails saying so.
 */
export function resolveInterpreters(overrides: Readonly<Record<string, string>>, path = process.env.PATH ?? ""): Map<string, string> {
  const resolved = new Map<string, string>();
  for (const program of new Set(Object.values(INTERPRETER_BY_EXTENSION))) {
    const found = findOnPath(program, path);
    if (found) resolved.set(program, found);
  }
  for (const [program, location] of Object.entries(overrides)) resolved.set(program, location);
  return resolved;
}

/**
 * Replaces a `python3` found on PATH by the interpreter behind it: version managers
 * (pyenv, asdf) put a shell shim there that re-resolves the version on every start.
 * Python is asked once where it really lives, in the background: the shim itself can
 * take a second or more to answer, which the server's start does not wait for (a task
 * launched meanwhile runs through the shim, as it would anyway). Never rejects.
 */
export async function settleRealPython(resolved: Map<string, string>, overrides: Readonly<Record<string, string>>): Promise<void> {
  const candidate = resolved.get("python3");
  if (!candidate || overrides.python3) return;
  const executable = await new Promise<string>((resolve) =>
    execFile(candidate, ["-c", "import sys; print(sys.executable)"], { encoding: "utf8", timeout: 10_000 }, (error, stdout) =>
      resolve(error ? "" : stdout.trim()),
    ),
  );
  if (isAbsolute(executable) && resolved.get("python3") === candidate) resolved.set("python3", executable);
}

export function findOnPath(program: string, path: string): string | undefined {
  if (isAbsolute(program)) return program;
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/**
 * The command that runs a script, as its launch rule says (see launch-rule.ts):
 * its shebang's program; otherwise the interpreter for its extension; otherwise
 * the script itself, as a program.
 */
export function commandFor(scriptPath: string, rule: LaunchRule, args: readonly string[], interpreters: Interpreters): string[] {
  switch (rule.kind) {
    case "shebang":
      return [rule.program, ...(rule.argument ? [rule.argument] : []), scriptPath, ...args];
    case "interpreter": {
      const program = interpreters.get(rule.interpreter);
      if (!program) {
        throw new Error(
          `${rule.interpreter} runs ${rule.extension} scripts but is not on the server's PATH; start the server with --interpreter ${rule.interpreter}=/path/to/${rule.interpreter}`,
        );
      }
      return [program, scriptPath, ...args];
    }
    case "native":
    case "none":
      // "none" only for a script registered before registration refused such files: it is tried all the same.
      return [scriptPath, ...args];
  }
}
