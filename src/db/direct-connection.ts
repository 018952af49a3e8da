import { Buffer } from "node:buffer";
import { LibsqlBatchError, LibsqlError, type ResultSet, type Row } from "@libsql/client";
import { libsqlDatabaseClass, type LibsqlDatabase, type Statement } from "./statement-cache.ts";

/** A statement and its arguments, as @libsql/client takes them. */
export interface Query {
  sql: string;
  args: readonly unknown[];
}

/**
 * Runs statements on a connection of its own to the embedded database file, without what
 * @libsql/client adds to each: it asks libsql for every integer as a BigInt and converts each
 * back, probes each statement for rows by switching it to raw mode, and builds each row as an
 * object with a property per column by name and by index (for a claim's forty columns, more
 * than the statement costs). Here a statement that returns rows runs in raw mode with plain
 * numbers, and its rows stay arrays: what drizzle maps its prepared statements' rows from
 * anyway (see prepared.ts). So its results suit those, and whoever reads only `rowsAffected`
 * or `lastInsertRowid`; not a caller that reads a row's columns by name.
 *
 * A second connection to a file in WAL mode: every write on either runs from its BEGIN to its
 * COMMIT without yielding (the client's batches do too), on the server's one thread, so
 * neither ever finds the other holding the write lock, and each statement sees what the other
 * committed. Integers come back as numbers: CubQueue stores none past 2^53 (times in
 * milliseconds, sizes in bytes, counts).
 */
export interface DirectConnection {
  execute(query: Query): ResultSet;
  /** Runs the statements in one transaction: all of them, or none (the error is thrown). */
  batch(queries: readonly Query[]): ResultSet[];
  close(): void;
}

/** Opens a direct connection to an embedded database file; undefined where `libsql` cannot be loaded here. */
export function openDirectConnection(file: string, { busyTimeoutMs }: { busyTimeoutMs: number }): DirectConnection | undefined {
  const Database = libsqlDatabaseClass();
  if (!Database) return undefined;
  const connection = new Database(file, { timeout: busyTimeoutMs });
  // As the client's connection has it (see open.ts); journal_mode is the file's own.
  connection.exec("PRAGMA synchronous = NORMAL");
  const begin = connection.prepare("BEGIN DEFERRED");
  const commit = connection.prepare("COMMIT");
  const rollback = connection.prepare("ROLLBACK");
  /** Whether each statement returns rows, asked once (statements are kept: see statement-cache.ts). */
  const returnsRows = new WeakMap<Statement, boolean>();

  function execute(query: Query): ResultSet {
    try {
      return run(query);
    } catch (error) {
      throw asClientError(error);
    }
  }

  function run({ sql, args }: Query): ResultSet {
    const statement = connection.prepare(sql);
    let reader = returnsRows.get(statement);
    if (reader === undefined) {
      reader = statement.reader;
      if (reader) statement.raw(true);
      returnsRows.set(statement, reader);
    }
    const values = args.map(toSqlValue);
    if (reader) return resultSet(statement.all(values) as Row[], 0, undefined);
    const { changes, lastInsertRowid } = statement.run(values);
    return resultSet([], changes, BigInt(lastInsertRowid));
  }

  return {
    execute,
    batch(queries) {
      let index = -1;
      try {
        begin.run([]);
        const results = queries.map((query, at) => {
          index = at;
          return run(query);
        });
        index = queries.length;
        commit.run([]);
        return results;
      } catch (error) {
        // A failed statement may have ended the transaction already (SQLite rolls back on some errors).
        if (connection.inTransaction) rollback.run([]);
        throw asClientError(error, index);
      }
    },
    close: () => closeQuietly(connection),
  };
}

/**
 * An error of libsql's as the client throws it (a LibsqlError, or a LibsqlBatchError saying which
 * statement of a batch failed), with the same code: what callers tell a full disk or a busy
 * database by (see errors.ts, server/database-error.ts).
 */
function asClientError(error: unknown, statementIndex?: number): unknown {
  const { code, rawCode, message } = error as { code?: unknown; rawCode?: unknown; message?: unknown };
  if (typeof code !== "string" || !code.startsWith("SQLITE_")) return error;
  // An extended code (SQLITE_IOERR_WRITE) begins with its base code (SQLITE_IOERR).
  const baseCode = /^SQLITE_[A-Z]+/.exec(code)![0];
  const raw = typeof rawCode === "number" ? rawCode : undefined;
  return statementIndex === undefined
    ? new LibsqlError(String(message), baseCode, code, raw, error as Error)
    : new LibsqlBatchError(String(message), statementIndex, baseCode, code, raw, error as Error);
}

/** A value as @libsql/client binds it (booleans as 0 and 1, dates as their milliseconds), refused where it refuses one. */
function toSqlValue(value: unknown): unknown {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value instanceof Date) return value.valueOf();
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  if (value === undefined) throw new TypeError("undefined cannot be passed as argument to the database");
  if (typeof value === "number" && !Number.isFinite(value)) throw new RangeError("Only finite numbers (not Infinity or NaN) can be passed as arguments");
  return value;
}

function resultSet(rows: Row[], rowsAffected: number, lastInsertRowid: bigint | undefined): ResultSet {
  return {
    columns: [],
    columnTypes: [],
    rows,
    rowsAffected,
    lastInsertRowid,
    toJSON: () => ({ rows, rowsAffected, lastInsertRowid: lastInsertRowid?.toString() ?? null }),
  };
}

function closeQuietly(connection: LibsqlDatabase): void {
  try {
    connection.close();
  } catch {
    // closed already
  }
}
