import type { ScriptRow, ScriptVersionRow } from "../db/schema.ts";

/** A script as the API shows it: its current version. */
export function toScriptView(row: ScriptRow) {
  return {
    name: row.name,
    version: row.version,
    desc: row.desc,
    filename: row.filename,
    sha256: row.sha256,
    size: row.size,
    created_at: row.createdAt.toISOString(),
  };
}

/** One version of a script, as the API shows it. */
export function toScriptVersionView(row: ScriptVersionRow) {
  return {
    version: row.version,
    desc: row.desc,
    filename: row.filename,
    sha256: row.sha256,
    size: row.size,
    created_at: row.createdAt.toISOString(),
  };
}

/** A script with every version it has had, in the order given (newest first). */
export function toScriptDetailView(row: ScriptRow, versions: readonly ScriptVersionRow[]) {
  return { ...toScriptView(row), versions: versions.map(toScriptVersionView) };
}

export type ScriptView = ReturnType<typeof toScriptView>;
export type ScriptDetailView = ReturnType<typeof toScriptDetailView>;
