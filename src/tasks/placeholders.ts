import { Buffer } from "node:buffer";

/** `<file1>`, `<file2>`, …: the n-th uploaded file. */
const PLACEHOLDER = /<file([1-9][0-9]*)>/g;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const FILE_MARK = Buffer.from("<file");

/**
 * Every placeholder number used in the string values of an argument file (a
 * valid JSON document), as written: digits, so that a number too large to be
 * any file's is still reported as sent.
 */
export function placeholdersIn(json: Buffer): Set<string> {
  const found = new Set<string>();
  rewriteStringValues(json, (text) => {
    for (const match of text.matchAll(PLACEHOLDER)) found.add(match[1]!);
    return undefined;
  });
  return found;
}

/**
 * The argument file with each placeholder replaced by its file's path
 * (`pathOf` is keyed by the placeholder's digits). Every other byte is kept:
 * a document without placeholders comes back as the very same buffer.
 */
export function resolvePlaceholders(json: Buffer, pathOf: ReadonlyMap<string, string>): Buffer {
  return rewriteStringValues(json, (text) =>
    text.replace(PLACEHOLDER, (whole, digits: string) => pathOf.get(digits) ?? whole),
  );
}

/**
 * Scans a valid JSON document's bytes for string tokens and offers each string
 * *value* (keys are left alone) to `rewrite`, decoded; a value it returns in
 * place of the text is written as a JSON string, and every other byte is
 * copied unchanged. Nothing is parsed into objects or re-serialised, so what
 * JSON.parse would lose (a `__proto__` key, integers above 2^53, `1e400`,
 * duplicate keys, whitespace) survives, and no nesting depth can exhaust a
 * stack: the scan is one loop over the bytes.
 *
 * Outside strings, a valid document has a `"` only where a string starts,
 * and a string is a key exactly when the next byte past whitespace is `:`.
 */
export function rewriteStringValues(json: Buffer, rewrite: (text: string) => string | undefined): Buffer {
  const chunks: Buffer[] = [];
  let copiedUpTo = 0;
  let position = 0;
  for (;;) {
    const start = json.indexOf(QUOTE, position);
    if (start === -1) break;
    const end = closingQuote(json, start + 1);
    position = end + 1;
    if (isFollowedByColon(json, position)) continue;
    const token = json.subarray(start, position);
    // Without an escape the raw bytes are the text, so most strings need no decoding.
    if (token.indexOf(BACKSLASH) === -1 && token.indexOf(FILE_MARK) === -1) continue;
    const text = JSON.parse(token.toString("utf8")) as string;
    const replaced = rewrite(text);
    if (replaced === undefined || replaced === text) continue;
    chunks.push(json.subarray(copiedUpTo, start), Buffer.from(JSON.stringify(replaced), "utf8"));
    copiedUpTo = position;
  }
  if (chunks.length === 0) return json;
  chunks.push(json.subarray(copiedUpTo));
  return Buffer.concat(chunks);
}

/** The index of the `"` that closes the string whose text starts at `from`. */
function closingQuote(json: Buffer, from: number): number {
  for (let candidate = json.indexOf(QUOTE, from); candidate !== -1; candidate = json.indexOf(QUOTE, candidate + 1)) {
    // Escaped when an odd number of backslashes precede it.
    let backslashes = 0;
    while (json[candidate - 1 - backslashes] === BACKSLASH) backslashes += 1;
    if (backslashes % 2 === 0) return candidate;
  }
  throw new Error("Unterminated string in a JSON document that was checked as valid");
}

function isFollowedByColon(json: Buffer, from: number): boolean {
  let index = from;
  // JSON's whitespace: space, tab, line feed, carriage return.
  while (json[index] === 0x20 || json[index] === 0x09 || json[index] === 0x0a || json[index] === 0x0d) index += 1;
  return json[index] === COLON;
}
