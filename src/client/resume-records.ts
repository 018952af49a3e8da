import { createHash } from "node:crypto";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";

/** Where an unfinished resumable upload of one file to one server is: its URL there, and the file's length. */
export interface ResumeRecord {
  url: string;
  length: number;
}

/**
 * The default folder of resume records: $XDG_CACHE_HOME/cubqueue/uploads, or
 * ~/.cache/cubqueue/uploads. The CLI, the SDK and the Python client share it,
 * so an upload cut short by one is resumed by any of them.
 */
export function defaultResumeDir(env: NodeJS.ProcessEnv = process.env): string {
  const cache = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.trim() !== "" ? env.XDG_CACHE_HOME : join(homedir(), ".cache");
  return join(cache, "cubqueue", "uploads");
}

/**
 * Resume records, one small file per server and file content, so that an upload
 * cut short (a dropped connection, Ctrl-C, a crash) is resumed by the next run of
 * the same command instead of starting over. Its name is a hash of both, so the
 * same file under another path resumes too, and one server's upload is never
 * sent to another.
 */
export function createResumeRecords(dir: string, baseUrl: string) {
  const pathOf = (sha256: string) => join(dir, `${createHash("sha256").update(`${baseUrl}\n${sha256}`).digest("hex")}.json`);
  return {
    async get(sha256: string): Promise<ResumeRecord | undefined> {
      const text = await readFile(pathOf(sha256), "utf8").catch(() => undefined);
      if (text === undefined) return undefined;
      try {
        const record = JSON.parse(text) as Partial<ResumeRecord>;
        return typeof record.url === "string" && Number.isSafeInteger(record.length) ? { url: record.url, length: record.length! } : undefined;
      } catch {
        // A record cut short by a crash is no record: the upload starts over.
        return undefined;
      }
    },
    async set(sha256: string, record: ResumeRecord): Promise<void> {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await writeFile(pathOf(sha256), JSON.stringify(record), { mode: 0o600 });
    },
    async remove(sha256: string): Promise<void> {
      await rm(pathOf(sha256), { force: true });
    },
  };
}

export type ResumeRecords = ReturnType<typeof createResumeRecords>;
