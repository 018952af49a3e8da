import { execFileSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, extname, isAbsolute, join } from "node:path";

/** Which program runs a script without a shebang line, by its extension. */
const BY_EXTENSION: Readonly<Record<string, string>> = {
  ".py": "python3",
  ".sh": "bash",
  ".bash": "bash",
  ".js": "node",
  ".mjs": "node",
  ".cjs": "node",
  ".rb": "ruby",
  ".pl": "perl",
  ".r": "Rscript",
  ".jl": "julia",
};

export type Interpreters = ReadonlyMap<string, string>;

/**
 * Resolves every known interpreter to an absolute path once, at start: looking
 * programs up on PATH for each task costs time, and on some machines `python3`
 * is a version-manager shim that costs far more. Overrides win; a program that
 * is not installed is simply absent, and a task that needs it fails saying so.
 */
export function resolveInterpreters(overrides: Readonly<Record<string, string>>, path = process.env.PATH ?? ""): Interpreters {
  const resolved = new Map<string, string>();
  for (const program of new Set(Object.values(BY_EXTENSION))) {
    const found = findOnPath(program, path);
    if (found) resolved.set(program, found);
  }
  for (const [program, location] of Object.entries(overrides)) resolved.set(program, location);
  const python = resolved.get("python3");
  if (python && !overrides.python3) resolved.set("python3", realPython(python));
  return resolved;
}

/**
 * The interpreter behind a `python3` found on PATH: version managers (pyenv,
 * asdf) put a shell shim there that re-resolves the version on every start.
 * Asking Python once where it really lives skips that cost for every task.
 */
function realPython(candidate: string): string {
  try {
    const executable = execFileSync(candidate, ["-c", "import sys; print(sys.executable)"], {
      encoding: "utf8",
      timeout: 10_000,
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
    return isAbsolute(executable) ? executable : candidate;
  } catch {
    return candidate;
  }
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
 * The command that runs a script: its shebang line wins; otherwise the
 * interpreter for its extension; otherwise the script itself, as a program.
 */
export function commandFor(
  scriptPath: string,
  firstLine: string,
  args: readonly string[],
  interpreters: Interpreters,
): string[] {
  if (firstLine.startsWith("#!")) {
    // Like the kernel: the interpreter, then at most one argument.
    const shebang = firstLine.slice(2).trim();
    const space = shebang.search(/\s/);
    const program = space === -1 ? shebang : shebang.slice(0, space);
    const argument = space === -1 ? "" : shebang.slice(space).trim();
    return [program, ...(argument ? [argument] : []), scriptPath, ...args];
  }
  const wanted = BY_EXTENSION[extname(scriptPath).toLowerCase()];
  if (wanted) {
    const program = interpreters.get(wanted);
    if (!program) {
      throw new Error(
        `${wanted} runs ${extname(scriptPath)} scripts but is not on the server's PATH; start the server with --interpreter ${wanted}=/path/to/${wanted}`,
      );
    }
    return [program, scriptPath, ...args];
  }
  return [scriptPath, ...args];
}
