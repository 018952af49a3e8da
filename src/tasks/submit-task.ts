import { randomUUID } from "node:crypto";
import { copyFile, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import type { Readable } from "node:stream";
import { findScript } from "../db/queries/scripts.ts";
import { insertTask, type TaskRecord } from "../db/queries/tasks.ts";
import type { Database } from "../db/open.ts";
import { TaskStatus, type NewTaskRow, type ScriptRow, type TaskFileRow } from "../db/schema.ts";
import { badRequest, scriptNotFound } from "../errors.ts";
import { safeExtension } from "../store/file-names.ts";
import type { Layout } from "../store/layout.ts";
import { receiveMultipart, type InMemoryDestination, type ReceivedFile } from "../store/multipart.ts";
import { placeholdersIn, resolvePlaceholders } from "./placeholders.ts";

const MAX_ARG_FILE_SIZE = 16 * 1024 * 1024;
const LARGE_FILE_FIELD = /^file([1-9][0-9]*)$/;

export interface SubmitDeps {
  db: Database;
  layout: Layout;
  /** Looks up a registered script (see cachedScriptLookup). */
  findScript: (name: string) => Promise<ScriptRow | undefined>;
  /** The most bytes one submission may upload, all files together. */
  maxUploadSize?: number;
  now: () => Date;
}

/**
 * A script lookup that asks the database once per name: a registered script
 * never changes and is never removed, so what was found stays true.
 */
export function cachedScriptLookup(db: Database): SubmitDeps["findScript"] {
  const found = new Map<string, ScriptRow>();
  return async (name) => {
    const cached = found.get(name);
    if (cached) return cached;
    const script = await findScript(db, name);
    if (script) found.set(name, script);
    return script;
  };
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
    // The folder first, then its three children side by side: no recursive walk, no EEXIST races.
    await mkdir(staging, { recursive: true });
    await Promise.all(["files", "metadata", "output"].map((name) => mkdir(join(staging, name))));
    const seen = new Set<string>();
    const form = await receiveMultipart(body, contentType, {
      maxTotalFileSize: deps.maxUploadSize,
      destinationFor(part) {
        if (seen.has(part.field)) throw badRequest("duplicate_field", `The file field "${part.field}" was sent twice.`);
        seen.add(part.field);
        // Small (16 MiB at most) and parsed at once: it never needs to touch the disk.
        if (part.field === "arg_file") return ARG_FILE_IN_MEMORY;
        if (LARGE_FILE_FIELD.test(part.field)) {
          return join(staging, "files", `${randomUUID()}${safeExtension(part.originalName)}`);
        }
        throw badRequest(
          "unexpected_field",
          `Unexpected file field "${part.field}": send the argument file as "arg_file" and large files as "file1", "file2", ….`,
        );
      },
    });

    const scriptName = form.fields.script_name;
    if (!scriptName) throw badRequest("missing_field", 'Missing the field "script_name" (a registered script).');
    const argFile = form.files.find((file) => file.field === "arg_file");
    if (!argFile) throw badRequest("missing_file", 'Missing the file field "arg_file" (the JSON argument file).');
    const submittedArgs = parseArgFile(argFile);
    const largeFiles = numberLargeFiles(form.files);
    checkPlaceholders(placeholdersIn(submittedArgs.parsed), largeFiles);
    const script = await deps.findScript(scriptName);
    if (!script) throw scriptNotFound(scriptName);

    const pathOf = new Map([...largeFiles].map(([n, file]) => [n, join(finalPaths.filesDir, basename(file.path))]));
    await writeFile(join(staging, "arg_file.json"), `${JSON.stringify(resolvePlaceholders(submittedArgs.parsed, pathOf), null, 2)}\n`);
    await copyFile(layout.scriptFile(script.filename), join(staging, script.filename));

    const task: NewTaskRow = {
      id,
      scriptName,
      scriptFilename: script.filename,
      argFile: submittedArgs.text,
      status: TaskStatus.queued,
      error: null,
      createdAt: now(),
      cancelRequestedAt: null,
      finishedAt: null,
      attemptCount: 0,
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
    // seen always has its folder; a crash in between leaves only an unlisted folder.
    await rename(staging, finalPaths.dir);
    moved = true;
    try {
      // The stored row is the answer: no need to read the task back.
      return { task: await insertTask(db, task, files), files, attempt: undefined };
    } catch (error) {
      await rm(finalPaths.dir, { recursive: true, force: true });
      throw error;
    }
  } finally {
    if (!moved) await rm(staging, { recursive: true, force: true });
  }
}

const ARG_FILE_IN_MEMORY: InMemoryDestination = {
  inMemory: true,
  maxBytes: MAX_ARG_FILE_SIZE,
  tooLargeMessage: "The argument file is larger than 16 MiB, the most accepted. Upload data as large files instead.",
};

function parseArgFile(file: ReceivedFile): { text: string; parsed: unknown } {
  const text = file.content?.toString("utf8") ?? "";
  try {
    return { text, parsed: JSON.parse(text) };
  } catch (error) {
    throw badRequest("invalid_arg_file", `The argument file "${file.originalName}" is not valid JSON: ${(error as Error).message}`);
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

function checkPlaceholders(used: Set<number>, files: Map<number, ReceivedFile>): void {
  const missing = [...used].filter((n) => !files.has(n)).sort((a, b) => a - b);
  if (missing.length === 0) return;
  const uploaded = files.size === 0 ? "no files were uploaded" : `the uploaded files are ${[...files.keys()].map((n) => `file${n}`).join(", ")}`;
  throw badRequest(
    "unknown_placeholder",
    `The argument file uses ${missing.map((n) => `<file${n}>`).join(", ")} but ${uploaded}; upload one file per placeholder, in order.`,
  );
}
