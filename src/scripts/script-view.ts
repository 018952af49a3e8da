import type { ScriptRow } from "../db/schema.ts";

/** A script as the API shows it. */
export function toScriptView(row: ScriptRow) {
  return {
    name: row.name,
    desc: row.desc,
    filename: row.filename,
    sha256: row.sha256,
    size: row.size,
    created_at: row.createdAt.toISOString(),
  };
}

export type ScriptView = ReturnType<typeof toScriptView>;
