import { rm } from "node:fs/promises";
import { Buffer } from "node:buffer";
import type { Readable } from "node:stream";
import { badRequest } from "../../errors.ts";
import { parseRunPolicy } from "../../lifecycle/run-policy.ts";
import { parseSlurmOptionsField } from "../../tasks/slurm-options.ts";
import { receiveMultipart, type InMemoryDestination, type ReceivedFile } from "../multipart.ts";
import { ARG_FILE_TOO_LARGE, MAX_ARG_FILE_SIZE } from "../../tasks/arg-file.ts";
import type { FileHashes } from "../../store/file-hashes.ts";
import type { LargeFile, UploadedFile } from "../../store/uploaded-file.ts";
import { MAX_ARRAY_SIZE, MAX_LARGE_FILES, type ArgFile, type Submission } from "../../tasks/submit-task.ts";
import { parseIntegerField, parseTaskSettings } from "../../tasks/task-settings.ts";

const LARGE_FILE_FIELD = /^file([1-9][0-9]*)$/;
/** A large file named by the sha256 of content the server stores, and the name it is given. */
const STORED_FILE_FIELD = /^file([1-9][0-9]*)_(sha256|name)$/;

/** Where a form's argument file is kept: in memory, as it is small and checked at once. */
export const ARG_FILE_IN_MEMORY: InMemoryDestination = { inMemory: true, maxBytes: MAX_ARG_FILE_SIZE, tooLargeMessage: ARG_FILE_TOO_LARGE };

export interface UploadPlace {
  /** Where a large file of this original name is written as it arrives (see Layout.incomingUpload). */
  pathFor(originalName: string): string;
  /** The most bytes one submission may upload, all files together. */
  maxTotalSize: number | undefined;
  /** Hashes the large files as they are written, off the event loop. */
  hashes?: FileHashes;
}

/** What the argument files of one array submission may take in memory together. */
const MAX_ARRAY_ARGS_BYTES = 64 * 1024 * 1024;

/**
 * Reads a submission form (multipart: `script_name`, the run policy's and the
 * scheduling fields, `slurm_options`, file `arg_file`, files `file1`…`fileN`): the argument file
 * into memory, each large file straight to disk in the incoming folder, hashed
 * on the way. With `array`, the form may carry many argument files (`arg_file`
 * repeated, and/or `arg_lines`: one JSON document per line) and `max_running`,
 * and makes one task of each. Form mistakes are refused here, with every file
 * received so far removed; what the submission means (its script, its JSON, its
 * placeholders) is for submitTasks to check.
 */
export async function receiveSubmission(
  body: Readable,
  contentType: string | undefined,
  place: UploadPlace,
  { array = false }: { array?: boolean } = {},
): Promise<Submission> {
  const seen = new Set<string>();
  const budget = { left: MAX_ARRAY_ARGS_BYTES, message: `The argument files of one array are larger than ${MAX_ARRAY_ARGS_BYTES / 1024 / 1024} MiB together; submit it in parts.` };
  const form = await receiveMultipart(body, contentType, {
    maxTotalFileSize: place.maxTotalSize,
    hashes: place.hashes,
    // The large files and the argument files: the limit is on large files, argument files come on top.
    maxFiles: MAX_LARGE_FILES + (array ? MAX_ARRAY_SIZE + 1 : 1),
    tooManyFilesMessage: array
      ? `Too many files: at most ${MAX_LARGE_FILES} large files and ${MAX_ARRAY_SIZE} argument files can be uploaded at once.`
      : `Too many files: at most ${MAX_LARGE_FILES} large files (file1 … file${MAX_LARGE_FILES}) and the argument file can be uploaded at once.`,
    destinationFor(part) {
      const repeatable = array && part.field === "arg_file";
      if (seen.has(part.field) && !repeatable) throw badRequest("duplicate_field", `The file field "${part.field}" was sent twice.`);
      seen.add(part.field);
      if (part.field === "arg_file") return array ? { ...ARG_FILE_IN_MEMORY, budget } : ARG_FILE_IN_MEMORY;
      if (array && part.field === "arg_lines") return { inMemory: true, maxBytes: MAX_ARRAY_ARGS_BYTES, tooLargeMessage: budget.message, budget };
      const largeFile = LARGE_FILE_FIELD.exec(part.field);
      if (largeFile) {
        // Compared as digits first: a longer number is out of range however Number() would round it.
        checkFileNumber(part.field, largeFile[1]!);
        return place.pathFor(part.originalName);
      }
      const argFields = array ? '"arg_file" (repeated) or "arg_lines"' : '"arg_file"';
      throw badRequest("unexpected_field", `Unexpected file field "${part.field}": send the argument file as ${argFields} and large files as "file1", "file2", ….`);
    },
  });
  const uploaded = numberLargeFiles(form.files);
  try {
    const largeFiles = withStoredFiles(uploaded, form.fields);
    const policy = parseRunPolicy(form.fields);
    const settings = parseTaskSettings(form.fields);
    const scriptName = form.fields.script_name;
    if (!scriptName) throw badRequest("missing_field", 'Missing the field "script_name" (a registered script).');
    const argFiles = form.files.filter((file) => file.field === "arg_file").map((file) => ({ bytes: file.content ?? Buffer.alloc(0), name: file.originalName }));
    const lines = form.files.find((file) => file.field === "arg_lines");
    if (lines) argFiles.push(...splitArgLines(lines.content ?? Buffer.alloc(0), lines.originalName));
    if (argFiles.length === 0) {
      throw badRequest("missing_file", array ? 'Send the argument files as file fields "arg_file" (one task each), or as "arg_lines" (one JSON document per line).' : 'Missing the file field "arg_file" (the JSON argument file).');
    }
    if (argFiles.length > MAX_ARRAY_SIZE) throw badRequest("too_many_files", `An array makes at most ${MAX_ARRAY_SIZE} tasks; this one names ${argFiles.length}. Submit it in parts.`);
    const slurmOptions = parseSlurmOptionsField(form.fields.slurm_options);
    const submission = { scriptName, argFiles, largeFiles, policy, settings, slurmOptions };
    if (!array) return submission;
    return { ...submission, array: { maxRunning: parseIntegerField("max_running", form.fields.max_running, 1, MAX_ARRAY_SIZE) ?? null } };
  } catch (error) {
    await Promise.all([...uploaded.values()].map((file) => rm(file.path, { force: true })));
    throw error;
  }
}

/** Large files are numbered file1 … file{MAX_LARGE_FILES}; `digits` is what follows "file" in `field`. */
function checkFileNumber(field: string, digits: string): void {
  // Compared as digits first: a longer number is out of range however Number() would round it.
  if (digits.length > String(MAX_LARGE_FILES).length || Number(digits) > MAX_LARGE_FILES) {
    throw badRequest(
      "file_number_out_of_range",
      `The file field "${field}" is numbered above ${MAX_LARGE_FILES}: send large files as "file1" … "file${MAX_LARGE_FILES}", at most ${MAX_LARGE_FILES} of them.`,
    );
  }
}

/**
 * The large files received, with those named by hash (`fileN_sha256`, and `fileN_name` for
 * its name) added: each number once, either way. Whether the server has the content is
 * for submitTasks to check, once the rest of the submission is known to be good.
 */
function withStoredFiles(uploaded: ReadonlyMap<number, UploadedFile>, fields: Readonly<Record<string, string>>): Map<number, LargeFile> {
  const files = new Map<number, LargeFile>(uploaded);
  const names = new Map<number, string>();
  for (const [field, value] of Object.entries(fields)) {
    const match = STORED_FILE_FIELD.exec(field);
    if (!match) continue;
    checkFileNumber(field, match[1]!);
    const number = Number(match[1]);
    if (match[2] === "name") {
      names.set(number, value);
      continue;
    }
    if (uploaded.has(number)) throw badRequest("duplicate_field", `file${number} was sent both as a file and as file${number}_sha256: send one of them.`);
    const sha256 = value.trim().toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw badRequest("invalid_field", `file${number}_sha256 must be a sha256 (64 hex digits), not "${value}".`);
    files.set(number, { sha256, originalName: "" });
  }
  for (const [number, name] of names) {
    const file = files.get(number);
    if (!file || "path" in file) throw badRequest("unexpected_field", `file${number}_name names a file sent by hash: send it with file${number}_sha256 (a file part has its own name).`);
    // As a file part's name is kept: without any directory part.
    file.originalName = name.split(/[\\/]/).pop() ?? "";
  }
  return new Map([...files].sort(([a], [b]) => a - b));
}

/** One argument file per non-blank line of a JSON-lines file, named by its line for messages. */
function splitArgLines(content: Buffer, name: string): ArgFile[] {
  const files: ArgFile[] = [];
  let start = 0;
  let line = 1;
  while (start <= content.length) {
    const end = content.indexOf(0x0a, start);
    const stop = end === -1 ? content.length : end;
    const bytes = content.subarray(start, stop > start && content[stop - 1] === 0x0d ? stop - 1 : stop);
    if (bytes.some((byte) => byte !== 0x20 && byte !== 0x09)) files.push({ bytes: Buffer.from(bytes), name: `${name || "arg_lines"}, line ${line}` });
    if (end === -1) break;
    start = end + 1;
    line += 1;
  }
  return files;
}
function numberLargeFiles(files: ReceivedFile[]): Map<number, UploadedFile> {
  const numbered = new Map<number, UploadedFile>();
  for (const file of files) {
    const match = LARGE_FILE_FIELD.exec(file.field);
    if (match) numbered.set(Number(match[1]), { path: file.path, originalName: file.originalName, size: file.size, sha256: file.sha256 });
  }
  return new Map([...numbered].sort(([a], [b]) => a - b));
}

/**
 * Reads a restart's form: only a new `arg_file`, kept in memory. Undefined
 * when the request has no body (the task keeps its own argument file).
 */
export async function receiveRestartArgFile(body: Readable | undefined, contentType: string | undefined): Promise<{ bytes: Buffer; name: string } | undefined> {
  if (!body || contentType === undefined || contentType.trim() === "") return undefined;
  let received = false;
  const form = await receiveMultipart(body, contentType, {
    // One more than it takes, so that a second file is named in the refusal.
    maxFiles: 2,
    destinationFor(part) {
      if (part.field === "arg_file" && !received) {
        received = true;
        return ARG_FILE_IN_MEMORY;
      }
      if (part.field === "arg_file") throw badRequest("duplicate_field", 'The file field "arg_file" was sent twice.');
      throw badRequest(
        "unexpected_field",
        `Unexpected file field "${part.field}": a restart takes only a new "arg_file"; it keeps the task's files.`,
      );
    },
  });
  const file = form.files.find((each) => each.field === "arg_file");
  if (!file) throw badRequest("missing_file", 'Send the new argument file as the file field "arg_file", or no body to keep the task\'s own.');
  return { bytes: file.content ?? Buffer.alloc(0), name: file.originalName };
}
