import { rm } from "node:fs/promises";
import { Buffer } from "node:buffer";
import type { Readable } from "node:stream";
import { badRequest } from "../../errors.ts";
import { parseRunPolicy } from "../../lifecycle/run-policy.ts";
import { parseSlurmOptionsField } from "../../tasks/slurm-options.ts";
import { receiveMultipart, type InMemoryDestination, type ReceivedFile } from "../multipart.ts";
import { ARG_FILE_TOO_LARGE, MAX_ARG_FILE_SIZE } from "../../tasks/arg-file.ts";
import type { UploadedFile } from "../../store/uploaded-file.ts";
import { MAX_LARGE_FILES, type Submission } from "../../tasks/submit-task.ts";

const LARGE_FILE_FIELD = /^file([1-9][0-9]*)$/;

/** Where a form's argument file is kept: in memory, as it is small and checked at once. */
export const ARG_FILE_IN_MEMORY: InMemoryDestination = { inMemory: true, maxBytes: MAX_ARG_FILE_SIZE, tooLargeMessage: ARG_FILE_TOO_LARGE };

export interface UploadPlace {
  /** Where a large file of this original name is written as it arrives (see Layout.incomingUpload). */
  pathFor(originalName: string): string;
  /** The most bytes one submission may upload, all files together. */
  maxTotalSize: number | undefined;
}

/**
 * Reads a submission form (multipart: `script_name`, the run policy's fields,
 * `slurm_options`, file `arg_file`, files `file1`…`fileN`): the argument file into memory, each
 * large file straight to disk in the incoming folder, hashed on the way. Form
 * mistakes are refused here, with every file received so far removed; what
 * the submission means (its script, its JSON, its placeholders) is for
 * submitTask to check.
 */
export async function receiveSubmission(body: Readable, contentType: string | undefined, place: UploadPlace): Promise<Submission> {
  const seen = new Set<string>();
  const form = await receiveMultipart(body, contentType, {
    maxTotalFileSize: place.maxTotalSize,
    // The large files and the argument file: the limit is on large files, arg_file comes on top.
    maxFiles: MAX_LARGE_FILES + 1,
    tooManyFilesMessage: `Too many files: at most ${MAX_LARGE_FILES} large files (file1 … file${MAX_LARGE_FILES}) and the argument file can be uploaded at once.`,
    destinationFor(part) {
      if (seen.has(part.field)) throw badRequest("duplicate_field", `The file field "${part.field}" was sent twice.`);
      seen.add(part.field);
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
        return place.pathFor(part.originalName);
      }
      throw badRequest(
        "unexpected_field",
        `Unexpected file field "${part.field}": send the argument file as "arg_file" and large files as "file1", "file2", ….`,
      );
    },
  });
  const largeFiles = numberLargeFiles(form.files);
  try {
    const policy = parseRunPolicy(form.fields);
    const slurmOptions = parseSlurmOptionsField(form.fields.slurm_options);
    const scriptName = form.fields.script_name;
    if (!scriptName) throw badRequest("missing_field", 'Missing the field "script_name" (a registered script).');
    const argFile = form.files.find((file) => file.field === "arg_file");
    if (!argFile) throw badRequest("missing_file", 'Missing the file field "arg_file" (the JSON argument file).');
    return { scriptName, argFile: argFile.content ?? Buffer.alloc(0), argFileName: argFile.originalName, largeFiles, policy, slurmOptions };
  } catch (error) {
    await Promise.all([...largeFiles.values()].map((file) => rm(file.path, { force: true })));
    throw error;
  }
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
