import { Buffer } from "node:buffer";
import { join } from "node:path";
import { badRequest, payloadTooLarge } from "../errors.ts";
import { writeFileAtomic } from "../store/atomic-write.ts";
import { PRIVATE_FILE_MODE } from "../store/layout.ts";
import { placeholdersIn, resolvePlaceholders } from "./placeholders.ts";

/** The largest argument file accepted: it is kept in memory while checked, and read whole by scripts. */
export const MAX_ARG_FILE_SIZE = 16 * 1024 * 1024;
export const ARG_FILE_TOO_LARGE = "The argument file is larger than 16 MiB, the most accepted. Upload data as large files instead.";

const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Checks that the argument file is a JSON document. It is only checked, never
 * re-serialised: the script gets the bytes as sent (see placeholders.ts).
 */
export function checkArgFile(bytes: Buffer, name: string): { bytes: Buffer; text: string } {
  // A form's reception stops at the limit already; this holds for a task CubQueue makes itself.
  if (bytes.length > MAX_ARG_FILE_SIZE) throw payloadTooLarge(ARG_FILE_TOO_LARGE);
  const invalid = (why: string) => badRequest("invalid_arg_file", `The argument file "${name}" is not valid JSON: ${why}`);
  let text: string;
  try {
    text = STRICT_UTF8.decode(bytes);
  } catch {
    throw invalid("it is not UTF-8 text (JSON must be UTF-8).");
  }
  try {
    JSON.parse(text);
  } catch (error) {
    if (error instanceof RangeError) {
      throw badRequest("invalid_arg_file", `The argument file "${name}" is nested too deeply to read; flatten it.`);
    }
    throw invalid((error as Error).message);
  }
  return { bytes, text };
}

/**
 * Refuses an argument file whose placeholders name files the task does not
 * have (`numbers`: those it has; `how`: "uploaded" at submit, "kept" at a restart).
 */
export function checkPlaceholders(argFile: Buffer, numbers: ReadonlySet<number>, how: "uploaded" | "kept"): void {
  const missing = [...placeholdersIn(argFile)].filter((digits) => !numbers.has(Number(digits))).sort(byNumber);
  if (missing.length === 0) return;
  const sorted = [...numbers].sort((a, b) => a - b);
  const have = sorted.length === 0 ? `no files were ${how}` : `the ${how} files are ${sorted.map((n) => `file${n}`).join(", ")}`;
  const fix = how === "uploaded" ? "upload one file per placeholder, in order" : "a restart keeps the task's files and uploads none";
  throw badRequest("unknown_placeholder", `The argument file uses ${missing.map((n) => `<file${n}>`).join(", ")} but ${have}; ${fix}.`);
}

/** Orders digit strings as the numbers they write, however long. */
function byNumber(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * Writes a task's argument file anew, whole (a reader, or the next attempt, sees the old
 * one or the new one), with its placeholders naming the files the task already has.
 */
export async function rewriteArgFile(
  paths: { argFile: string; filesDir: string },
  files: ReadonlyArray<{ placeholder: string; storedName: string }>,
  bytes: Buffer,
): Promise<void> {
  const pathOf = new Map(files.map((file) => [file.placeholder, join(paths.filesDir, file.storedName)]));
  await writeFileAtomic(paths.argFile, resolvePlaceholders(bytes, pathOf), PRIVATE_FILE_MODE);
}
