import { Buffer } from "node:buffer";
import { badRequest } from "../errors.ts";
import type { InMemoryDestination, ReceivedFile } from "../store/multipart.ts";
import { placeholdersIn } from "./placeholders.ts";

const MAX_ARG_FILE_SIZE = 16 * 1024 * 1024;

/** Where a multipart reception keeps an argument file: in memory, as it is small and checked at once. */
export const ARG_FILE_IN_MEMORY: InMemoryDestination = {
  inMemory: true,
  maxBytes: MAX_ARG_FILE_SIZE,
  tooLargeMessage: "The argument file is larger than 16 MiB, the most accepted. Upload data as large files instead.",
};

const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Checks that the argument file is a JSON document. It is only checked, never
 * re-serialised: the script gets the bytes as sent (see placeholders.ts).
 */
export function checkArgFile(file: ReceivedFile): { bytes: Buffer; text: string } {
  const bytes = file.content ?? Buffer.alloc(0);
  const invalid = (why: string) => badRequest("invalid_arg_file", `The argument file "${file.originalName}" is not valid JSON: ${why}`);
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
      throw badRequest("invalid_arg_file", `The argument file "${file.originalName}" is nested too deeply to read; flatten it.`);
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
