import { DrizzleQueryError } from "drizzle-orm";
import { AppError } from "../errors.ts";

/**
 * A database that cannot be used at start (not a CubQueue database, another
 * application's, corrupt, out of room) fails deep inside a query. Drizzle's
 * message is the SQL ("Failed query: select … params: running") and hides the
 * reason SQLite gave; this says where the database is, that reason, and what
 * to do, in one line. Errors that are not the database's pass through as they are.
 */
export function databaseStartupError(error: unknown, where: string): unknown {
  if (error instanceof AppError || !isDatabaseError(error)) return error;
  return new AppError(
    500,
    "database_unusable",
    `Cannot use the database ${where}: ${rootMessage(error)}. ` +
      "Check that it is a CubQueue database with room on its disk (CUBQUEUE_DATABASE_URL chooses another), or start with a new --base-dir.",
  );
}

/** Where a database is, for a message: a remote URL without its credentials or query. */
export function describeDatabaseLocation(file: string, url: string | undefined): string {
  if (!url) return file;
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === "/" ? "" : parsed.pathname}`;
  } catch {
    return "given by CUBQUEUE_DATABASE_URL";
  }
}

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let current = error; current !== undefined && current !== null && chain.length < 10; current = (current as { cause?: unknown }).cause) {
    chain.push(current);
  }
  return chain;
}

function isDatabaseError(error: unknown): boolean {
  return causes(error).some(
    (link) =>
      link instanceof DrizzleQueryError ||
      (link as Error)?.name === "LibsqlError" ||
      /^SQLITE_/.test(String((link as { code?: unknown })?.code ?? "")),
  );
}

/** The deepest message in the chain, "SQLITE_ERROR: SQLITE_ERROR: no such table" said once. */
function rootMessage(error: unknown): string {
  const chain = causes(error).filter((link) => link instanceof Error && link.message !== "");
  const message = (chain.at(-1) as Error | undefined)?.message ?? String(error);
  return message.replace(/^(\w+): (?:\1: )+/, "$1: ").replace(/\s+/g, " ").trim();
}
