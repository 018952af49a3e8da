import { randomUUID } from "node:crypto";
import { mkdir, rename, rm, rmdir, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { insertTask, type TaskRecord } from "../db/queries/tasks.ts";
import type { Database } from "../db/open.ts";
import { TaskStatus, type NewTaskRow, type ScriptRow, type TaskFileRow } from "../db/schema.ts";
import { scriptNameReserved, scriptNotFound } from "../errors.ts";
import type { RunPolicy } from "../lifecycle/run-policy.ts";
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, reservedScriptFilename, type Layout } from "../store/layout.ts";
import type { UploadedFile } from "../store/uploaded-file.ts";
import { checkArgFile, checkPlaceholders } from "./arg-file.ts";
import { resolvePlaceholders } from "./placeholders.ts";

/** Large files are numbered file1 … file1000: as many as one submission may upload. */
export const MAX_LARGE_FILES = 1000;

/**
 * What a task is made from, however it arrived: a multipart form
 * (api/tasks/receive-submission.ts), or CubQueue itself (no files, an argument
 * file it wrote).
 */
export interface Submission {
  scriptName: string;
  /** The argument file, as sent: the script gets these bytes with only the placeholders replaced. */
  argFile: Buffer;
  /** Names the argument file in error messages (the client's file name). */
  argFileName: string;
  /** The large files by number (file1 is 1). The task takes them over: they are moved into it, or removed when it is refused. */
  largeFiles: ReadonlyMap<number, UploadedFile>;
  policy: RunPolicy;
}

export interface SubmitDeps {
  db: Database;
  layout: Layout;
  /**
   * Copies a registered script's current version to the path `destinationFor`
   * gives (which may refuse it), and answers with the version copied; see
   * ScriptService.copyForTask. It takes the script's lock, so a replace running
   * meanwhile never makes a task record a version other than the one it copied.
   */
  copyScript: (name: string, destinationFor: (script: ScriptRow) => string) => Promise<ScriptRow>;
  /** Whether the script is registered: an unknown one is refused (404) before its argument file is read. */
  isRegistered: (name: string) => Promise<boolean>;
  now: () => Date;
}

/**
 * Makes a task of a submission: checks it, builds its folder in a staging
 * place (the script's copy, the argument file, the large files moved in), and
 * only then moves the folder into tasks/ and records the task. Any failure
 * removes the staging folder and the uploads: a refused submission leaves
 * nothing behind. Resolves to the new task's record, as stored (queued, no
 * attempt yet).
 */
export async function submitTask(deps: SubmitDeps, submission: Submission): Promise<TaskRecord> {
  const { db, layout, now } = deps;
  const { scriptName, largeFiles, policy } = submission;
  const id = randomUUID();
  const staging = layout.stagingTaskDir(id);
  const finalPaths = layout.taskPaths(id);
  let moved = false;
  let staged = false;
  try {
    // The script first: a mistyped name is the mistake to report, not the placeholders it would not have used.
    if (!(await deps.isRegistered(scriptName))) throw scriptNotFound(scriptName);
    const submittedArgs = checkArgFile(submission.argFile, submission.argFileName);
    checkPlaceholders(submittedArgs.bytes, new Set(largeFiles.keys()), "uploaded");
    // The folder and its pending marker (an empty folder) in one call, then its children side by
    // side: no recursive walk, no EEXIST races. The marker travels with the folder until the row
    // exists (see removeUnlistedTaskFolders).
    staged = true;
    await mkdir(layout.stagingPendingMarker(id), { recursive: true, mode: PRIVATE_DIR_MODE });
    await Promise.all(["files", "metadata", "output"].map((name) => mkdir(join(staging, name), { mode: PRIVATE_DIR_MODE })));
    const script = await deps.copyScript(scriptName, (found) => {
      // Registration refuses these names; a database from before that still may hold one.
      const reserved = reservedScriptFilename(found.filename);
      if (reserved) throw scriptNameReserved(found.name, found.filename, reserved);
      return join(staging, found.filename);
    });
    // Into the folder under the names they were received as (same file system: a rename each).
    await Promise.all([...largeFiles.values()].map((file) => rename(file.path, join(staging, "files", basename(file.path)))));
    const pathOf = new Map([...largeFiles].map(([n, file]) => [String(n), join(finalPaths.filesDir, basename(file.path))]));
    // The bytes as sent, with only the placeholder strings replaced.
    await writeFile(join(staging, "arg_file.json"), resolvePlaceholders(submittedArgs.bytes, pathOf), { mode: PRIVATE_FILE_MODE });

    const task: NewTaskRow = {
      id,
      scriptName,
      scriptFilename: script.filename,
      scriptVersion: script.version,
      scriptSha256: script.sha256,
      argFile: submittedArgs.text,
      status: TaskStatus.queued,
      error: null,
      createdAt: now(),
      cancelRequestedAt: null,
      finishedAt: null,
      attemptCount: 0,
      ...policy,
    };
    const files: TaskFileRow[] = [...largeFiles].map(([placeholder, file]) => ({
      taskId: id,
      placeholder,
      originalName: file.originalName,
      storedName: basename(file.path),
      size: file.size,
      sha256: file.sha256,
    }));
    // The folder moves into place before the row exists, so a task that can be
    // seen always has its folder; a crash in between leaves only an unlisted
    // folder, still marked pending, which the next start removes.
    await rename(staging, finalPaths.dir);
    moved = true;
    let stored: TaskRecord["task"];
    try {
      // The stored row is the answer: no need to read the task back.
      stored = await insertTask(db, task, files);
    } catch (error) {
      await rm(finalPaths.dir, { recursive: true, force: true });
      throw error;
    }
    // The task exists now. A marker left behind (this rmdir failing) is harmless
    // while the row exists, so it must not turn a stored task into an error.
    await rmdir(finalPaths.pendingMarker).catch(() => undefined);
    return { task: stored, files: files.map((file) => ({ ...file, placeholder: String(file.placeholder) })), attempt: undefined, attempts: [] };
  } finally {
    if (!moved) {
      if (staged) await rm(staging, { recursive: true, force: true });
      // Those not moved into the staging folder yet are still where they were received.
      await Promise.all([...largeFiles.values()].map((file) => rm(file.path, { force: true })));
    }
  }
}
