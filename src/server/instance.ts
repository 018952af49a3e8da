import { randomUUID } from "node:crypto";
import { link, mkdir, readFile, rm, rmdir, stat, writeFile } from "node:fs/promises";
import { AppError } from "../errors.ts";
import { writeFileAtomic } from "../store/atomic-write.ts";
import type { Layout } from "../store/layout.ts";
import { isSameProcess, processStartToken } from "../runner/process-identity.ts";

/**
 * Everything a server keeps in its base dir about itself, read and written
 * here only: the pid file that claims the base dir, the URL and token it
 * publishes, the stop request, and its instance id.
 */

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
  const deadline = Date.now() + CLAIM_PATIENCE_MS;
  while (Date.now() < deadline) {
    if (await createExclusively(layout.pidFile, record)) return baseDirClaim(layout, pid);
    const recorded = await readFile(layout.pidFile, "utf8").catch(() => undefined);
    if (recorded === undefined) continue; // Removed meanwhile: try again.
    const holder = parsePidFile(recorded);
    if (holder !== undefined && holder.pid !== pid && (await isSameProcess(holder.pid, holder.startToken))) {
      throw alreadyRunning(layout, holder.pid, await readRecordedUrl(layout));
    }
    // Stale: its server is gone. It is removed under the takeover lock, and only if it is still
    // the file read as stale: without the lock, one contender could remove the pid file another
    // had just written, and both would win.
    await withTakeoverLock(layout, async () => {
      if ((await readFile(layout.pidFile, "utf8").catch(() => undefined)) !== recorded) return;
      await rm(layout.pidFile, { force: true });
      await rm(layout.urlFile, { force: true });
      await rm(layout.cancelRunningRequestFile, { force: true });
    });
  }
  throw new AppError(
    409,
    "already_running",
    `Other CubQueue servers are starting on ${layout.baseDir} at the same time; wait for them and check with \`cubqueue namespace --base-dir ${layout.baseDir}\`.`,
  );
}

/** How long a start keeps trying while other servers race for the same base dir. */
const CLAIM_PATIENCE_MS = 5_000;
/** A takeover lock older than this was left by a start that died holding it (holding it takes milliseconds). */
const STALE_TAKEOVER_LOCK_MS = 10_000;

/**
 * Runs `removal` while holding the base dir's takeover lock (a directory: mkdir either creates it
 * or fails), or returns at once when another contender holds it (the caller then tries again).
 */
async function withTakeoverLock(layout: Layout, removal: () => Promise<void>): Promise<void> {
  const lock = `${layout.pidFile}.takeover`;
  try {
    await mkdir(lock);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const age = await stat(lock).then((stats) => Date.now() - stats.mtimeMs, () => 0);
    if (age > STALE_TAKEOVER_LOCK_MS) await rmdir(lock).catch(() => {});
    else await new Promise((resolve) => setTimeout(resolve, 5));
    return;
  }
  try {
    await removal();
  } finally {
    await rmdir(lock).catch(() => {});
  }
}

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

/** Forgets a server that is gone without freeing its base dir (it crashed): `stop` then finds nothing to stop. */
export async function forgetStaleServer(layout: Layout): Promise<void> {
  await rm(layout.urlFile, { force: true });
  await rm(layout.pidFile, { force: true });
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

/**
 * The id of the server instance that owns a base dir, made at its first start
 * and kept in the base dir, so a restarted server is the same instance. Each
 * attempt records the instance that started it: servers sharing one database
 * (a libSQL URL) then take back, at start, only the attempts they started,
 * and never judge lost a task another one is watching. Called once the base
 * dir is claimed, so no other server of this base dir writes it meanwhile.
 */
export async function loadInstanceId(layout: Layout): Promise<string> {
  const recorded = (await readFile(layout.instanceIdFile, "utf8").catch(() => "")).trim();
  if (INSTANCE_ID.test(recorded)) return recorded;
  const made = randomUUID();
  await writeFileAtomic(layout.instanceIdFile, `${made}\n`);
  return made;
}

/** What a written id looks like; anything else (a damaged file) is replaced. */
const INSTANCE_ID = /^[0-9a-f-]{36}$/;
