import { asc, eq } from "drizzle-orm";
import type { Database } from "../open.ts";
import { scripts, type ScriptRow } from "../schema.ts";

export async function findScript(db: Database, name: string): Promise<ScriptRow | undefined> {
  return db.query.scripts.findFirst({ where: eq(scripts.name, name) });
}

export async function listScripts(db: Database): Promise<ScriptRow[]> {
  return db.select().from(scripts).orderBy(asc(scripts.name));
}

/** Inserts a script; resolves false when the name is already taken. */
export async function insertScript(db: Database, row: ScriptRow): Promise<boolean> {
  const inserted = await db.insert(scripts).values(row).onConflictDoNothing().returning({ name: scripts.name });
  return inserted.length === 1;
}
