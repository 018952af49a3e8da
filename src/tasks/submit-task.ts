import { randomUUID } from "node:crypto";
import { chmod, mkdir, rename, rm, unlink, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import type { Readable } from "node:stream";
import { insertTask, type TaskRecord } from "../db/queries/tasks.ts";
import type { Database } from "../db/open.ts";
import { TaskStatus, type NewTaskRow, type ScriptRow, type TaskFileRow } from "../db/schema.ts";
import { badRequest, scriptNameReserved } from "../errors.ts";
import { safeExtension } from "../store/file-names.ts";
import { EXECUTABLE_SCRIPT_MODE, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, reservedScriptFilename, type Layout } from "../store/layout.ts";
import { receiveMultipart, type ReceivedFile } from "../store/multipart.ts";
import { parseRunPolicy } from "../lifecycle/run-policy.ts";
import { ARG_FILE_IN_MEMORY, checkArgFile, checkPlaceholders } from "./arg-file.ts";
import { resolvePlaceholders } from "./placeholders.ts";

const LARGE_FILE_FIELD = /^file([1-9][0-9]*)$/;
/** Large files are numbered file1 … file1000: as many as one submission may upload. */
export const MAX_LARGE_FILES = 1000;

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
  /** The most bytes one submission may upload, all files together. */
  maxUploadSize?: number;
  now: () => Date;
}

/**
 * Receives a submission (multipart: `script_name`, file `arg_file`, files
 * `file1`…`fileN`), streams the files into a staging folder, checks everything,
 * and only then moves the folder into tasks/ and records the task. Any failure
 * removes the staging folder: a refused submission leaves nothing behind.
 */
/** Resolves to the new task's record, as stored (queued, no attempt yet). */
export async function submitTask(deps: SubmitDeps, body: Readable, contentType: string | undefined): Promise<TaskRecord> {
  const { db, layout, now } = deps;
  const id = randomUUID();
  const staging = layout.stagingTaskDir(id);
  const finalPaths = layout.taskPaths(id);
  let moved = false;
  try {
    // The folder first, then its children side by side: no recursive walk, no EEXIST races.
    // The pending marker travels with the folder until the row exists (see removeUnlistedTaskFolders).
    await mkdir(staging, { recursive: true, mode: PRIVATE_DIR_MODE });
    await Promise.all([
      ...["files", "metadata", "output"].map((name) => mkdir(join(staging, name), { mode: PRIVATE_DIR_MODE })),
      writeFile(layout.stagingPendingMarker(id), "", { mode: PRIVATE_FILE_MODE }),
    ]);
    const seen = new Set<string>();
    const form = await receiveMultipart(body, contentType, {
      maxTotalFileSize: deps.maxUploadSize,
      // The large files and the argument file: the limit is on large files, arg_file comes on top.
      maxFiles: MAX_LARGE_FILES + 1,
      tooManyFilesMessage: `Too many files: at most ${MAX_LARGE_FILES} large files (file1 … file${MAX_LARGE_FILES}) and the argument file can be uploaded at once.`,
      destinationFor(part) {
        if (seen.has(part.field)) throw badRequest("duplicate_field", `The file field "${part.field}" was sent twice.`);
        seen.add(part.field);
        // Small (16 MiB at most) and checked at once: it never needs to touch the disk before its folder is complete.
        if (part.field === "arg_file") return ARG_FILE_IN_MEMORY;
        const largeFile = LARGE_FILE_FIELD.exec(part.field);
        if (largeFile) {
          // Compared as digits first: a longer number is out of range however Number() would round it.
          if (largeFile[1]!.length > String(MAX_LARGE_FILES).length || Number(largeFile[1]) > MAX_LARGE_FILES) {
            throw badRequest(
              "file_number_out_of_range",
              `The file field "${part.field}" is numbered above ${MAX_LARGE_FILES}: send large files as "file1" … "file${MAX_LARGE_FILES}", at most ${MAX_LARGE_FILES} of them.`,
            );
          }
          return join(staging, "files", `${randomUUID()}${safeExtension(part.originalName)}`);
        }
        throw badRequest(
          "unexpected_field",
          `Unexpected file field "${part.field}": send the argument file as "arg_file" and large files as "file1", "file2", ….`,
        );
      },
    });

    const scriptName = form.fields.script_name;
    const policy = parseRunPolicy(form.fields);
    if (!scriptName) throw badRequest("missing_field", 'Missing the field "script_name" (a registered script).');
    const argFile = form.files.find((file) => file.field === "arg_file");
    if (!argFile) throw badRequest("missing_file", 'Missing the file field "arg_file" (the JSON argument file).');
    const submittedArgs = checkArgFile(argFile);
    const largeFiles = numberLargeFiles(form.files);
    checkPlaceholders(submittedArgs.bytes, new Set(largeFiles.keys()), "uploaded");
    const script = await deps.copyScript(scriptName, (found) => {
      // Registration refuses these names; a database from before that still may hold one.
      const reserved = reservedScriptFilename(found.filename);
      if (reserved) throw scriptNameReserved(found.name, found.filename, reserved);
      return join(staging, found.filename);
    });
    // The copy keeps the stored script's mode, but one registered by an older CubQueue was not executable.
    await chmod(join(staging, script.filename), EXECUTABLE_SCRIPT_MODE);

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
    // The task exists now. A marker left behind (this unlink failing) is harmless
    // while the row exists, so it must not turn a stored task into an error.
    await unlink(finalPaths.pendingMarker).catch(() => undefined);
    return { task: stored, files: files.map((file) => ({ ...file, placeholder: String(file.placeholder) })), attempt: undefined, attempts: [] };
  } finally {
    if (!moved) await rm(staging, { recursive: true, force: true });
  }
}

function numberLargeFiles(files: ReceivedFile[]): Map<number, ReceivedFile> {
  const numbered = new Map<number, ReceivedFile>();
  for (const file of files) {
    const match = LARGE_FILE_FIELD.exec(file.field);
    if (match) numbered.set(Number(match[1]), file);
  }
  return new Map([...numbered].sort(([a], [b]) => a - b));
}
