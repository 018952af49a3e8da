import { and, asc, desc, eq, sql } from "drizzle-orm";
import type { Database } from "../open.ts";
import { scriptVersions, scripts, type ScriptRow, type ScriptVersionRow } from "../schema.ts";

export async function findScript(db: Database, name: string): Promise<ScriptRow | undefined> {
  return db.query.scripts.findFirst({ where: eq(scripts.name, name) });
}

export async function listScripts(db: Database): Promise<ScriptRow[]> {
  return db.select().from(scripts).orderBy(asc(scripts.name));
}

/** Every version a script has had, the newest first. */
export async function listScriptVersions(db: Database, name: string): Promise<ScriptVersionRow[]> {
  return db.select().from(scriptVersions).where(eq(scriptVersions.name, name)).orderBy(desc(scriptVersions.version));
}

/** The version row that describes a script row's current version. */
export function versionRowOf(row: ScriptRow): ScriptVersionRow {
  return { name: row.name, version: row.version, desc: row.desc, filename: row.filename, sha256: row.sha256, size: row.size, createdAt: row.createdAt };
}

/**
 * Inserts a new script with its first version, together or not at all.
 * Rejects when the name is already taken (a unique constraint).
 */
export async function insertScript(db: Database, row: ScriptRow): Promise<void> {
  await db.batch([db.insert(scripts).values(row), db.insert(scriptVersions).values(versionRowOf(row))]);
}

/**
 * Makes `row` the script's current version and adds it to its versions, together
 * or not at all. Resolves false, changing nothing, when the script is no longer
 * at `previousVersion` (unregistered or replaced meanwhile).
 */
export async function replaceScript(db: Database, previousVersion: number, row: ScriptRow): Promise<boolean> {
  const { name, ...current } = row;
  const [updated] = await db.batch([
    db
      .update(scripts)
      .set(current)
      .where(and(eq(scripts.name, name), eq(scripts.version, previousVersion)))
      .returning({ name: scripts.name }),
    // Only if the update applied: the script is now at the new version.
    db.run(sql`
      INSERT INTO ${scriptVersions} ("name", "version", "desc", "filename", "sha256", "size", "created_at")
      SELECT ${name}, ${row.version}, ${row.desc}, ${row.filename}, ${row.sha256}, ${row.size}, ${row.createdAt.getTime()}
      WHERE EXISTS (SELECT 1 FROM ${scripts} WHERE ${scripts.name} = ${name} AND ${scripts.version} = ${row.version})`),
  ]);
  return updated.length === 1;
}

/** Removes a script and every version of it; resolves false when there was none. */
export async function deleteScript(db: Database, name: string): Promise<boolean> {
  const [, deleted] = await db.batch([
    db.delete(scriptVersions).where(eq(scriptVersions.name, name)),
    db.delete(scripts).where(eq(scripts.name, name)).returning({ name: scripts.name }),
  ]);
  return deleted.length === 1;
}
