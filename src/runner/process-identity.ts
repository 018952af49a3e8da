import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** Linux reports process times in these units to user space, whatever the kernel's own tick rate. */
const USER_HZ = 100;

/**
 * When a process started, in whole seconds since the epoch, as an opaque
 * token. A pid alone does not identify a process across a server restart: the
 * system may have given it to another one since. Pid and start time together do.
 *
 * Read from /proc where it can be read (Linux, on Node), otherwise from `ps`
 * (Deno refuses /proc without --allow-all; other systems have none). Both give
 * the same value, so a server on either runtime recognises the other's tasks.
 * Undefined when there is no such process.
 */
export async function processStartToken(pid: number): Promise<string | undefined> {
  if ((await procBootTime()) !== undefined) return startTokenFromProc(pid);
  return startTokenFromPs(pid);
}

/** True when the process with this pid is still the one that had this start token (null: not recorded). */
export async function isSameProcess(pid: number, startToken: string | null): Promise<boolean> {
  const current = await processStartToken(pid);
  if (current === undefined) return false;
  if (startToken === null) return true;
  // The two sources may round a start time to different sides of a second.
  return Math.abs(Number(current) - Number(startToken)) <= 1;
}

let bootTime: Promise<number | undefined> | undefined;

/** The boot time from /proc/stat, or undefined when /proc cannot be read here. */
function procBootTime(): Promise<number | undefined> {
  bootTime ??= readFile("/proc/stat", "utf8").then(
    (text) => Number(/^btime (\d+)$/m.exec(text)?.[1]) || undefined,
    () => undefined,
  );
  return bootTime;
}

async function startTokenFromProc(pid: number): Promise<string | undefined> {
  const booted = await procBootTime();
  // Read in place rather than through the pool: /proc is made by the kernel as it is read, never
  // waits on a disk, and one read costs far less than the four round trips of an async readFile.
  const stat = readProcFile(`/proc/${pid}/stat`);
  if (stat === undefined || booted === undefined) return undefined;
  // The command name (field 2) is in parentheses and may itself hold spaces or ")".
  const afterName = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // afterName[0] is field 3 (the state); a zombie has ended, whatever its pid says.
  if (afterName[0] === "Z") return undefined;
  const ticksSinceBoot = Number(afterName[19]); // field 22: the start time
  return String(booted + Math.floor(ticksSinceBoot / USER_HZ));
}

function readProcFile(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

async function startTokenFromPs(pid: number): Promise<string | undefined> {
  try {
    const { stdout } = await execFileAsync("ps", ["-o", "stat=,lstart=", "-p", String(pid)], {
      env: { ...process.env, LC_ALL: "C", TZ: "UTC" },
    });
    const [, state, started] = /^\s*(\S+)\s+(.+?)\s*$/.exec(stdout) ?? [];
    if (!state || !started || state.startsWith("Z")) return undefined;
    const epochMs = Date.parse(`${started} UTC`);
    return Number.isNaN(epochMs) ? undefined : String(Math.floor(epochMs / 1000));
  } catch {
    return undefined; // ps exits non-zero when there is no such process
  }
}
