import { randomUUID } from "node:crypto";
import { chmod, link, rename, rm } from "node:fs/promises";
import { deleteScript, findScript, insertScript, replaceScript } from "../db/queries/scripts.ts";
import type { Database } from "../db/open.ts";
import type { ScriptRow } from "../db/schema.ts";
import { AppError, scriptNameTaken } from "../errors.ts";
import { writeFileAtomic } from "../store/atomic-write.ts";
import { EXECUTABLE_SCRIPT_MODE, type Layout } from "../store/layout.ts";

/**
 * Moves a script's files into scripts/ and records it, in an order that a
 * crash at any point leaves usable: the files first (each by a rename, so
 * readers see a whole file), the row last, and what the row no longer names
 * removed only after it committed. A row therefore never names a missing
 * file. The caller holds the name's lock.
 */
export interface ScriptStoreDeps {
  db: Database;
  layout: Layout;
}

/** Stores a new script as its version 1; `uploaded` is its complete upload, moved into place. */
export async function storeFirstVersion({ db, layout }: ScriptStoreDeps, row: ScriptRow, uploaded: string): Promise<void> {
  const scriptFile = layout.scriptFile(row.filename);
  const descFile = layout.scriptDescFile(row.name);
  // Executable before it is in place, so no reader ever finds it otherwise.
  await chmod(uploaded, EXECUTABLE_SCRIPT_MODE);
  // Nothing names these files until the row exists: a crash in between leaves
  // an unreferenced file that the next registration of the name replaces.
  await rename(uploaded, scriptFile);
  try {
    await writeFileAtomic(descFile, row.desc);
    await insertScript(db, row);
  } catch (error) {
    await Promise.all([rm(scriptFile, { force: true }), rm(descFile, { force: true })]);
    // Another server on a shared database took the name first.
    if (!(error instanceof AppError) && (await findScript(db, row.name))) throw scriptNameTaken(row.name);
    throw error;
  }
}

/**
 * Stores `row` as the next version of `previous`. The new file takes its place
 * by a rename, which replaces the previous file whole when the name is the same;
 * a link to the previous file is kept meanwhile (in the incoming folder, which
 * every start empties) so that a failed write of the row puts it back. When the
 * extension changed, the previous file is removed only once the row is committed.
 *
 * One window remains: a crash after the rename and before the row commits leaves
 * the new content under the previous version's record. Submissions check each
 * copy's sha256 against the record, so such a script is refused, never run as
 * the wrong version, until it is replaced again.
 */
export async function storeNextVersion({ db, layout }: ScriptStoreDeps, previous: ScriptRow, row: ScriptRow, uploaded: string): Promise<void> {
  const scriptFile = layout.scriptFile(row.filename);
  const previousFile = layout.scriptFile(previous.filename);
  const descFile = layout.scriptDescFile(row.name);
  const sameFile = previous.filename === row.filename;
  const kept = layout.incomingUpload(`${randomUUID()}.previous`);
  await chmod(uploaded, EXECUTABLE_SCRIPT_MODE);
  if (sameFile) await link(previousFile, kept);
  try {
    await rename(uploaded, scriptFile);
    try {
      await writeFileAtomic(descFile, row.desc);
      if (!(await replaceScript(db, previous.version, row))) {
        throw new AppError(409, "script_changed", `The script "${row.name}" changed while it was being replaced; look at it again and retry.`);
      }
    } catch (error) {
      if (sameFile) await rename(kept, scriptFile);
      else await rm(scriptFile, { force: true });
      await writeFileAtomic(descFile, previous.desc);
      throw error;
    }
  } finally {
    await rm(kept, { force: true });
  }
  if (!sameFile) await rm(previousFile, { force: true });
}

/**
 * Removes a script: its rows first (with every version), then its files, so a
 * crash in between leaves only unreferenced files, which the next registration
 * of the name replaces. Resolves false when it was not registered.
 */
export async function removeScript({ db, layout }: ScriptStoreDeps, row: ScriptRow): Promise<boolean> {
  if (!(await deleteScript(db, row.name))) return false;
  await Promise.all([rm(layout.scriptFile(row.filename), { force: true }), rm(layout.scriptDescFile(row.name), { force: true })]);
  return true;
}
