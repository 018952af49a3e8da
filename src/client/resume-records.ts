import { createHash } from "node:crypto";
import { mkdir, readFile, realpath, rm, stat, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";

/** Where an unfinished resumable upload of one file to one server is: its URL there, and the file's length. */
export interface ResumeRecord {
  url: string;
  length: number;
}

/**
 * The client's cache folder: $XDG_CACHE_HOME/cubqueue, or ~/.cache/cubqueue. Its uploads/
 * (resume records) is shared by the CLI, the SDK and the Python client, so an upload cut
 * short by one is resumed by any of them; hashes/ remembers files already hashed.
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const cache = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.trim() !== "" ? env.XDG_CACHE_HOME : join(homedir(), ".cache");
  return join(cache, "cubqueue");
}

/**
 * Resume records, one small file per server and file content, so that an upload
 * cut short (a dropped connection, Ctrl-C, a crash) is resumed by the next run of
 * the same command instead of starting over. Its name is a hash of both, so the
 * same file under another path resumes too, and one server's upload is never
 * sent to another.
 */
export function createResumeRecords(cacheDir: string, baseUrl: string) {
  const dir = join(cacheDir, "uploads");
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

/**
 * The sha256 of files already hashed, by where they are and what they were then (size,
 * modification time, inode): submitting the same 30 GB input a hundred times reads it once.
 * A file changed since, however little, is hashed again.
 */
export function createHashCache(cacheDir: string) {
  const dir = join(cacheDir, "hashes");
  const stampOf = async (path: string) => {
    const info = await stat(path, { bigint: true });
    return { key: createHash("sha256").update(await realpath(path)).digest("hex"), stamp: `${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}` };
  };
  const fileOf = (key: string) => join(dir, `${key}.json`);
  return {
    async get(path: string): Promise<{ sha256: string; size: number } | undefined> {
      const { key, stamp } = await stampOf(path);
      const text = await readFile(fileOf(key), "utf8").catch(() => undefined);
      try {
        const saved = text === undefined ? undefined : (JSON.parse(text) as { stamp?: string; sha256?: string; size?: number });
        return saved?.stamp === stamp && typeof saved.sha256 === "string" && Number.isSafeInteger(saved.size) ? { sha256: saved.sha256, size: saved.size! } : undefined;
      } catch {
        return undefined;
      }
    },
    /** Remembers a hash taken of the file as `before` found it (so a change while it was read is never cached). */
    async set(path: string, before: string, hashed: { sha256: string; size: number }): Promise<void> {
      const { key, stamp } = await stampOf(path);
      if (stamp !== before) return;
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await writeFile(fileOf(key), JSON.stringify({ stamp, ...hashed }), { mode: 0o600 });
    },
    stamp: async (path: string) => (await stampOf(path)).stamp,
  };
}
