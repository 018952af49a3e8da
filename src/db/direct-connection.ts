import { Buffer } from "node:buffer";
import { LibsqlBatchError, LibsqlError, type Client, type ResultSet, type Row } from "@libsql/client";
import { connectionUsedBy, type LibsqlDatabase, type Statement } from "./statement-cache.ts";

/** A statement and its arguments, as @libsql/client takes them. */
export interface Query {
  sql: string;
  args: readonly unknown[];
}

/**
 * Runs statements on the client's own connection to the embedded database file, without what
 * @libsql/client adds to each: it asks libsql for every integer as a BigInt and converts each
 * back, probes each statement for rows by switching it to raw mode, and builds each row as an
 * object with a property per column by name and by index (for a claim's forty columns, more
 * than the statement costs). Here a statement that returns rows runs in raw mode with plain
 * numbers, and its rows stay arrays: what drizzle maps its prepared statements' rows from
 * anyway (see prepared.ts). So its results suit those, and whoever reads only `rowsAffected`
 * or `lastInsertRowid`; not a caller that reads a row's columns by name.
 *
 * The same connection, not a second one: SQLite drops a connection's whole page cache when it
 * finds that another wrote to the file, so two taking turns would each read their pages anew
 * every time. The client uses it only from a borrow to its return, synchronously (CubQueue
 * opens no interactive transaction), and so does this: neither ever finds the other halfway
 * through a transaction. Integers come back as numbers: CubQueue stores none past 2^53 (times
 * in milliseconds, sizes in bytes, counts).
 */
export interface DirectConnection {
  execute(query: Query): ResultSet;
  /** Runs the statements in one transaction: all of them, or none (the error is thrown). */
  batch(queries: readonly Query[]): ResultSet[];
  /** False once the client has let its connection go (closed, or dropped after a failure). */
  usable(): boolean;
}

/** The client's connection, for direct use; undefined where it cannot be found (see connectionUsedBy). */
export async function openDirectConnection(client: Client): Promise<DirectConnection | undefined> {
  const connection = await connectionUsedBy((sql) => client.execute(sql));
  return connection && directOn(connection);
}

function directOn(connection: LibsqlDatabase): DirectConnection {
  const begin = connection.prepare("BEGIN DEFERRED");
  const commit = connection.prepare("COMMIT");
  const rollback = connection.prepare("ROLLBACK");
  /** Whether each statement returns rows, asked once (statements are kept: see statement-cache.ts). */
  const returnsRows = new WeakMap<Statement, boolean>();

  /** Undoes the open transaction; should that fail, the client drops the connection at its next return of it. */
  function rollBack(): void {
    try {
      rollback.run([]);
    } catch {
      // The error that made it roll back is the one to report.
    }
  }

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
    if (reader === undefined) returnsRows.set(statement, (reader = statement.reader));
    const values = args.map(toSqlValue);
    // Set each time: the client sets its own modes on a statement both run (the same SQL).
    if (reader) return resultSet(statement.raw(true).safeIntegers(false).all(values) as Row[], 0, undefined);
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
        if (connection.inTransaction) rollBack();
        // As the client: a failed BEGIN or COMMIT is its own error, a failed statement the batch's.
        throw asClientError(error, index >= 0 && index < queries.length ? index : undefined);
      }
    },
    usable: () => connection.open,
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
