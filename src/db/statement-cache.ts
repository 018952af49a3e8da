import { createRequire } from "node:module";

/**
 * @libsql/client runs an embedded file through the `libsql` package (better-sqlite3's API)
 * and prepares every statement it runs anew, then asks the new statement for its columns,
 * twice. For CubQueue's hot statements (a submit's insert, a claim, an attempt's end) that
 * was a third of what the database cost per task, and more than running them. This keeps
 * each connection's prepared statements for reuse, as better-sqlite3's own users do: a
 * statement runs to its end before the client returns (it reads all rows at once), so one
 * statement is never used by two callers at a time. The SQL drizzle builds is the same text
 * for the same query, so a few hundred statements hold every shape CubQueue runs; past
 * that, the least recently used goes. Columns are kept with their statement: CubQueue never
 * changes the schema after the migrations it runs at start.
 *
 * The client also asks each statement whether it returns rows by switching it to raw mode,
 * which throws for one that does not (an UPDATE, BEGIN, COMMIT): a new error with its stack,
 * about 20 µs, seven times per task run. A kept statement remembers the answer, and the
 * error, and throws that again without asking.
 */
const MAX_STATEMENTS_PER_CONNECTION = 256;

/** What CubQueue uses of `libsql`'s classes (better-sqlite3's API). */
export interface Statement {
  columns(): unknown[];
  raw(raw?: boolean): Statement;
  safeIntegers(safe?: boolean): Statement;
  /** Whether it returns rows. */
  readonly reader: boolean;
  run(args: unknown[]): { changes: number; lastInsertRowid: number | bigint };
  all(args: unknown[]): unknown[];
}

export interface LibsqlDatabase {
  prepare(sql: string): Statement;
  readonly inTransaction: boolean;
  /** False once closed. */
  readonly open: boolean;
  close(): void;
}

interface LibsqlDatabaseClass {
  prototype: LibsqlDatabase;
}

export interface StatementCacheStats {
  /** Statements taken from the cache instead of prepared. */
  reused: number;
  prepared: number;
  /** Switches to raw mode refused again from memory (the statement returns no rows). */
  rawRefusalsKept: number;
}

const stats: StatementCacheStats = { reused: 0, prepared: 0, rawRefusalsKept: 0 };
let installed: boolean | undefined;

/** How often statements were reused and prepared since the process started (the tests check the reuse). */
export const statementCacheStats = (): Readonly<StatementCacheStats> => ({ ...stats });

/**
 * Makes `libsql` keep prepared statements, once per process. Resolves `libsql` as
 * @libsql/client does, so it is the very class the client uses. Where that cannot be
 * done (another layout of the packages), statements are prepared every time, as before.
 */
export function installStatementCache(): boolean {
  if (installed !== undefined) return installed;
  const Database = libsqlDatabaseClass();
  installed = Database !== undefined;
  if (Database) patch(Database.prototype);
  return installed;
}

/** `libsql`'s Database, resolved as @libsql/client resolves it (the very class it uses); undefined where it cannot be. */
function libsqlDatabaseClass(): LibsqlDatabaseClass | undefined {
  try {
    const clientRequire = createRequire(createRequire(import.meta.url).resolve("@libsql/client"));
    return clientRequire("libsql") as LibsqlDatabaseClass;
  } catch {
    return undefined;
  }
}

/** The probes under way (see connectionUsedBy), by their statement: one no one else runs. */
const probes = new Map<string, (connection: LibsqlDatabase) => void>();
let probesMade = 0;

/**
 * The connection a client runs its statements on: the one that prepares a statement run
 * through `execute`. Undefined where the statement cache could not be installed.
 */
export async function connectionUsedBy(execute: (sql: string) => Promise<unknown>): Promise<LibsqlDatabase | undefined> {
  // A statement of its own, so that two databases opened at once each find their own.
  const sql = `SELECT ${(probesMade += 1)} AS cubqueue_which_connection`;
  let found: LibsqlDatabase | undefined;
  probes.set(sql, (connection) => (found = connection));
  try {
    await execute(sql);
  } finally {
    probes.delete(sql);
  }
  return found;
}

function patch(prototype: LibsqlDatabase): void {
  const prepareAnew = prototype.prepare;
  const closeConnection = prototype.close;
  const caches = new WeakMap<LibsqlDatabase, Map<string, Statement>>();
  prototype.prepare = function prepare(this: LibsqlDatabase, sql: string): Statement {
    if (probes.size > 0) probes.get(sql)?.(this);
    let cache = caches.get(this);
    if (!cache) caches.set(this, (cache = new Map()));
    const cached = cache.get(sql);
    if (cached) {
      // The most recently used last: the first one is the one to let go.
      cache.delete(sql);
      cache.set(sql, cached);
      stats.reused += 1;
      return cached;
    }
    const statement = prepareAnew.call(this, sql);
    stats.prepared += 1;
    const columnsOf = statement.columns;
    let columns: unknown[] | undefined;
    statement.columns = () => (columns ??= columnsOf.call(statement));
    const setRaw = statement.raw;
    let rawRefusal: unknown;
    statement.raw = (raw?: boolean) => {
      if (raw === false) return setRaw.call(statement, raw);
      if (rawRefusal !== undefined) {
        stats.rawRefusalsKept += 1;
        throw rawRefusal;
      }
      try {
        return setRaw.call(statement, raw);
      } catch (error) {
        rawRefusal = error;
        throw error;
      }
    };
    cache.set(sql, statement);
    if (cache.size > MAX_STATEMENTS_PER_CONNECTION) cache.delete(cache.keys().next().value!);
    return statement;
  };
  prototype.close = function close(this: LibsqlDatabase): void {
    caches.delete(this);
    closeConnection.call(this);
  };
}
