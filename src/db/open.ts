import { chmod, open } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createClient } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import { PRIVATE_FILE_MODE } from "../store/layout.ts";
import { openDirectConnection } from "./direct-connection.ts";
import { useDirectConnection } from "./prepared.ts";
import * as schema from "./schema.ts";
import { installStatementCache } from "./statement-cache.ts";

export type Database = ReturnType<typeof drizzle<typeof schema>>;

export interface OpenDatabaseOptions {
  /** Path of the embedded database file, used when no url is given. */
  file: string;
  /** A libsql:// or http:// URL of a libSQL server. */
  url?: string;
  authToken?: string;
  /**
   * Whether the statements every task runs go straight to the client's connection to the
   * embedded file (see direct-connection.ts); the default. Off: all through the client, as for a URL.
   */
  direct?: boolean;
}

/** How long a statement waits for another connection's write lock (another server sharing the file) before it fails as busy. */
const BUSY_TIMEOUT_MS = 10_000;

const migrationsFolder = fileURLToPath(new URL("./migrations", import.meta.url));

/**
 * Opens the database and brings its schema up to date. The embedded file runs in
 * WAL mode with a busy timeout, and the client keeps a single connection: every
 * statement runs on the server's one thread anyway, and one connection means a
 * transaction makes other queries wait their turn instead of failing as busy.
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<{ db: Database; close: () => void }> {
  const embedded = !options.url;
  // SQLite gives the -wal and -shm files the database file's mode.
  if (embedded) await makePrivateFile(options.file);
  installStatementCache();
  const client = createClient({
    url: options.url ?? pathToFileURL(options.file).href,
    authToken: options.authToken,
    concurrency: 1,
    timeout: BUSY_TIMEOUT_MS,
  });
  if (embedded) {
    await client.execute("PRAGMA journal_mode = WAL");
    await client.execute(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // In WAL mode NORMAL syncs at checkpoints, not at every commit: the database
    // stays consistent after a power cut, it may only lose the latest commits.
    // (Uploaded files are not fsynced either.) Every commit otherwise blocked the
    // server's one thread on an fsync, several times per task.
    await client.execute("PRAGMA synchronous = NORMAL");
  }
  const db = drizzle(client, { schema });
  await migrate(db, { migrationsFolder });
  const direct = embedded && options.direct !== false ? await openDirectConnection(client) : undefined;
  if (direct) useDirectConnection(db, direct);
  return { db, close: () => client.close() };
}

/** Creates the database file readable by its owner only, or makes an existing one so. */
async function makePrivateFile(path: string): Promise<void> {
  await (await open(path, "a", PRIVATE_FILE_MODE)).close();
  await chmod(path, PRIVATE_FILE_MODE);
}
