import { randomUUID } from "node:crypto";
import { link, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { AppError } from "../errors.ts";
import { writeFileAtomic } from "../store/atomic-write.ts";
import type { Layout } from "../store/layout.ts";
import { isSameProcess, processStartToken } from "../runner/process-identity.ts";

/** True when a process with this pid exists (even if it belongs to another user). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The server recorded in the pid file: "<pid> <start token>" (see runner/process-identity.ts). */
export async function readRecordedServer(layout: Layout): Promise<RecordedServer | undefined> {
  return parsePidFile(await readFile(layout.pidFile, "utf8").catch(() => undefined));
}

interface RecordedServer {
  pid: number;
  startToken: string | null;
}

function parsePidFile(text: string | undefined): RecordedServer | undefined {
  const [pidText, startToken] = text?.trim().split(/\s+/) ?? [];
  const pid = Number(pidText);
  return Number.isSafeInteger(pid) && pid > 0 ? { pid, startToken: startToken || null } : undefined;
}

export async function readRecordedPid(layout: Layout): Promise<number | undefined> {
  return (await readRecordedServer(layout))?.pid;
}

/**
 * True when the recorded server is still running: its pid is alive and is the
 * same process (a pid left by a crashed server may since belong to another).
 */
export async function isRecordedServerRunning(layout: Layout): Promise<boolean> {
  const server = await readRecordedServer(layout);
  return server !== undefined && (await isSameProcess(server.pid, server.startToken));
}

export async function readRecordedUrl(layout: Layout): Promise<string | undefined> {
  const text = await readFile(layout.urlFile, "utf8").catch(() => undefined);
  return text?.trim() || undefined;
}

export async function readRecordedToken(layout: Layout): Promise<string | undefined> {
  const text = await readFile(layout.tokenFile, "utf8").catch(() => undefined);
  return text?.trim() || undefined;
}

export interface BaseDirClaim {
  /**
   * Records where the server listens (and the token it requires, readable by
   * its owner only), for `stop`, the CLI and a waiting `start --daemon`.
   */
  publish(url: string, token?: string): Promise<void>;
  release(): Promise<void>;
}

/**
 * Makes this process the only server of a base dir. The pid file appears
 * whole or not at all (written aside, then hard-linked into place, which fails
 * if it exists), so a reader never sees a half-written one. A pid file left by
 * a server that no longer runs is taken over; when several servers race for
 * it, one wins and the others are told which one did.
 */
export async function claimBaseDir(layout: Layout, pid = process.pid): Promise<BaseDirClaim> {
  const record = `${pid} ${(await processStartToken(pid)) ?? ""}\n`;
  for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
    if (await createExclusively(layout.pidFile, record)) return baseDirClaim(layout, pid);
    const recorded = await readFile(layout.pidFile, "utf8").catch(() => undefined);
    if (recorded === undefined) continue; // Removed meanwhile: try again.
    const holder = parsePidFile(recorded);
    if (holder !== undefined && holder.pid !== pid && (await isSameProcess(holder.pid, holder.startToken))) {
      throw alreadyRunning(layout, holder.pid, await readRecordedUrl(layout));
    }
    // Stale: its server is gone. Only the pid file read as stale is removed, never one a racing server just wrote.
    if (await removeIfUnchanged(layout.pidFile, recorded, pid)) {
      await rm(layout.urlFile, { force: true });
      await rm(layout.cancelRunningRequestFile, { force: true });
    }
  }
  throw new AppError(
    409,
    "already_running",
    `Other CubQueue servers are starting on ${layout.baseDir} at the same time; wait for them and check with \`cubqueue namespace --base-dir ${layout.baseDir}\`.`,
  );
}

const CLAIM_ATTEMPTS = 10;

function alreadyRunning(layout: Layout, holder: number, url: string | undefined): AppError {
  return new AppError(
    409,
    "already_running",
    `A CubQueue server (pid ${holder}${url ? `, ${url}` : ""}) already uses ${layout.baseDir}; stop it with \`cubqueue stop --base-dir ${layout.baseDir}\` or choose another --base-dir.`,
  );
}

/** Creates `path` holding `content`, complete from its first instant; false if it already exists. */
async function createExclusively(path: string, content: string): Promise<boolean> {
  const aside = `${path}.${process.pid}.${randomUUID()}`;
  await writeFile(aside, content, { flag: "wx" });
  try {
    await link(aside, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    await rm(aside, { force: true });
  }
}

/**
 * Removes `path` if it still holds `expected`. It is first moved aside (one
 * rename wins); if what was moved is not what was read, a racing server had
 * claimed the base dir meanwhile, and its pid file is linked back in place.
 */
async function removeIfUnchanged(path: string, expected: string, pid: number): Promise<boolean> {
  const aside = `${path}.stale.${pid}.${randomUUID()}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
  try {
    if ((await readFile(aside, "utf8")) === expected) return true;
    await link(aside, path).catch(() => {});
    return false;
  } finally {
    await rm(aside, { force: true });
  }
}

function baseDirClaim(layout: Layout, pid: number): BaseDirClaim {
  return {
    async publish(url, token) {
      if (token === undefined) await rm(layout.tokenFile, { force: true });
      else await writeFileAtomic(layout.tokenFile, `${token}\n`, 0o600);
      await writeFileAtomic(layout.urlFile, `${url}\n`);
    },
    async release() {
      if ((await readRecordedPid(layout)) !== pid) return;
      await rm(layout.urlFile, { force: true });
      await rm(layout.tokenFile, { force: true });
      await rm(layout.pidFile, { force: true });
    },
  };
}

/**
 * How `cubqueue stop` tells the server, which it then signals, whether to
 * cancel the running tasks: an empty file beside the pid file, whose name is
 * the request. Empty, because it must be written on a full disk too, which
 * still has room for a name but not for a byte of content.
 */
export async function requestStop(layout: Layout, options: { cancelRunning: boolean }): Promise<void> {
  if (options.cancelRunning) await writeFile(layout.cancelRunningRequestFile, "");
  else await rm(layout.cancelRunningRequestFile, { force: true });
}

/** Takes (removes) what `requestStop` asked for; a plain signal means: leave tasks running. */
export async function takeStopRequest(layout: Layout): Promise<{ cancelRunning: boolean }> {
  const cancelRunning = await stat(layout.cancelRunningRequestFile).then(
    () => true,
    () => false,
  );
  await rm(layout.cancelRunningRequestFile, { force: true });
  return { cancelRunning };
}
