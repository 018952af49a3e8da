import { basename, extname } from "node:path";
import { openTaskFile } from "../store/open-task-file.ts";

/** Which program runs a script without a shebang line, by its extension. */
export const INTERPRETER_BY_EXTENSION: Readonly<Record<string, string>> = Object.freeze({
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
});

/** How many bytes of a script decide how it runs: its shebang line, or the magic number of a compiled program. */
export const SCRIPT_HEAD_BYTES = 512;

/**
 * The first bytes of the programs a kernel executes itself: ELF (Linux, the
 * BSDs) and Mach-O (macOS, thin and universal).
 */
const NATIVE_MAGIC_NUMBERS = ["7f454c46", "feedface", "feedfacf", "cefaedfe", "cffaedfe", "cafebabe"].map((hex) => Buffer.from(hex, "hex"));

/**
 * How a script is run, decided once from its file name and its first bytes:
 *
 * - `shebang`: its first line `#!program [argument]` names the program (as the kernel reads it);
 * - `interpreter`: otherwise its extension names one (`.py` → python3, …);
 * - `native`: otherwise it is a compiled program, executed directly;
 * - `none`: nothing says how. It is still executed directly, but nothing the
 *   kernel knows can load it, so registration refuses it.
 */
export type LaunchRule =
  | { kind: "shebang"; program: string; argument: string | undefined }
  | { kind: "interpreter"; interpreter: string; extension: string }
  | { kind: "native" }
  | { kind: "none" };

export function launchRuleFor(filename: string, head: Uint8Array): LaunchRule {
  const firstLine = Buffer.from(head).toString("utf8").split(/\r?\n/, 1)[0] ?? "";
  if (firstLine.startsWith("#!")) {
    // Like the kernel: the interpreter, then at most one argument.
    const shebang = firstLine.slice(2).trim();
    const space = shebang.search(/\s/);
    const program = space === -1 ? shebang : shebang.slice(0, space);
    const argument = space === -1 ? "" : shebang.slice(space).trim();
    // "#!" alone names no program: the kernel refuses it, and so would spawn.
    if (program) return { kind: "shebang", program, argument: argument || undefined };
  }
  const extension = extname(filename);
  const interpreter = INTERPRETER_BY_EXTENSION[extension.toLowerCase()];
  if (interpreter) return { kind: "interpreter", interpreter, extension };
  if (NATIVE_MAGIC_NUMBERS.some((magic) => Buffer.from(head.subarray(0, magic.length)).equals(magic))) return { kind: "native" };
  return { kind: "none" };
}

/**
 * The first bytes of a script file, enough for launchRuleFor. A task's copy may
 * have been replaced by its own script (before a retry or a restart): a FIFO, a
 * symlink or a directory there is refused, never waited on or followed.
 */
export async function readScriptHead(path: string): Promise<Buffer> {
  const opened = await openTaskFile(path);
  if (opened === null) throw Object.assign(new Error(`${path} does not exist`), { code: "ENOENT" });
  try {
    const buffer = Buffer.alloc(SCRIPT_HEAD_BYTES);
    const { bytesRead } = await opened.handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await opened.handle.close();
  }
}

/** The extensions that name an interpreter, for messages: ".py, .sh, …". */
export function knownExtensions(): string {
  return Object.keys(INTERPRETER_BY_EXTENSION).join(", ");
}

/** How many script versions' rules a cache keeps; past that it starts afresh (they are cheap to read again). */
const CACHED_RULES = 256;

/**
 * The launch rule of a task's script copy. A copy whose sha256 is known (nothing has
 * run in its folder since it was checked against its script version) has the rule of
 * that version, read once; any other is read from the copy itself.
 */
export function createLaunchRuleCache() {
  const rules = new Map<string, LaunchRule>();
  return {
    async ruleFor(script: string, sha256: string | null): Promise<LaunchRule> {
      const filename = basename(script);
      const key = sha256 === null ? undefined : `${sha256}/${filename}`;
      const known = key === undefined ? undefined : rules.get(key);
      if (known) return known;
      const rule = launchRuleFor(filename, await readScriptHead(script));
      if (key !== undefined) {
        if (rules.size >= CACHED_RULES) rules.clear();
        rules.set(key, rule);
      }
      return rule;
    },
  };
}
