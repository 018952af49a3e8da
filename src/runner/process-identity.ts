import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);
const hasProc = existsSync("/proc/self/stat");

/**
 * When a process started, as an opaque token. A pid alone does not identify a
 * process across a server restart: the system may have given it to another
 * one since. Pid and start time together do.
 *
 * Linux: the start time in clock ticks since boot (field 22 of /proc/<pid>/stat).
 * Elsewhere: what `ps -o lstart=` prints. Undefined when there is no such process.
 */
export async function processStartToken(pid: number): Promise<string | undefined> {
  return hasProc ? startTokenFromProc(pid) : startTokenFromPs(pid);
}

/** True when the process with this pid is still the one that had this start token (null: not recorded). */
export async function isSameProcess(pid: number, startToken: string | null): Promise<boolean> {
  const current = await processStartToken(pid);
  if (current === undefined) return false;
  return startToken === null || current === startToken;
}

async function startTokenFromProc(pid: number): Promise<string | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  if (stat === undefined) return undefined;
  // The command name (field 2) is in parentheses and may itself hold spaces or ")".
  const afterName = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // afterName[0] is field 3 (the state); a zombie has ended, whatever its pid says.
  if (afterName[0] === "Z") return undefined;
  return afterName[19];
}

async function startTokenFromPs(pid: number): Promise<string | undefined> {
  try {
    const { stdout } = await execFileAsync("ps", ["-o", "lstart=", "-p", String(pid)]);
    return stdout.trim() || undefined;
  } catch {
    return undefined; // ps exits non-zero when there is no such process
  }
}
