import { readFile, rm, writeFile } from "node:fs/promises";
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
export async function readRecordedServer(layout: Layout): Promise<{ pid: number; startToken: string | null } | undefined> {
  const text = await readFile(layout.pidFile, "utf8").catch(() => undefined);
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
 * Makes this process the only server of a base dir: the pid file is created
 * exclusively, and a pid file left by a process that no longer exists is
 * taken over.
 */
export async function claimBaseDir(layout: Layout, pid = process.pid): Promise<BaseDirClaim> {
  for (let attempt = 0; ; attempt++) {
    try {
      await writeFile(layout.pidFile, `${pid} ${(await processStartToken(pid)) ?? ""}\n`, { flag: "wx" });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) throw error;
      const holder = await readRecordedPid(layout);
      if (holder !== undefined && holder !== pid && (await isRecordedServerRunning(layout))) {
        const url = await readRecordedUrl(layout);
        throw new AppError(
          409,
          "already_running",
          `A CubQueue server (pid ${holder}${url ? `, ${url}` : ""}) already uses ${layout.baseDir}; stop it with \`cubqueue stop --base-dir ${layout.baseDir}\` or choose another --base-dir.`,
        );
      }
      // Stale: its server is gone.
      await rm(layout.pidFile, { force: true });
      await rm(layout.urlFile, { force: true });
      await rm(layout.stopRequestFile, { force: true });
    }
  }
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
 * cancel the running tasks: a one-line file beside the pid file.
 */
export async function requestStop(layout: Layout, options: { cancelRunning: boolean }): Promise<void> {
  if (options.cancelRunning) await writeFileAtomic(layout.stopRequestFile, "cancel-running\n");
  else await rm(layout.stopRequestFile, { force: true });
}

/** Reads (and removes) what `requestStop` asked for; a plain signal means: leave tasks running. */
export async function takeStopRequest(layout: Layout): Promise<{ cancelRunning: boolean }> {
  const text = await readFile(layout.stopRequestFile, "utf8").catch(() => "");
  await rm(layout.stopRequestFile, { force: true });
  return { cancelRunning: text.trim() === "cancel-running" };
}
