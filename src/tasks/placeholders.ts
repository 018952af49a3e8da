/** `<file1>`, `<file2>`, …: the n-th uploaded file. */
const PLACEHOLDER = /<file([1-9][0-9]*)>/g;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every placeholder number used in the string values of an argument file, however deeply nested. */
export function placeholdersIn(value: unknown): Set<number> {
  const found = new Set<number>();
  visitStrings(value, (text) => {
    for (const match of text.matchAll(PLACEHOLDER)) found.add(Number(match[1]));
    return text;
  });
  return found;
}

/** A copy of the argument file with each placeholder replaced by its file's path. */
export function resolvePlaceholders(value: unknown, pathOf: ReadonlyMap<number, string>): Json {
  return visitStrings(value, (text) =>
    text.replace(PLACEHOLDER, (whole, number: string) => pathOf.get(Number(number)) ?? whole),
  );
}

function visitStrings(value: unknown, onString: (text: string) => string): Json {
  if (typeof value === "string") return onString(value);
  if (Array.isArray(value)) return value.map((item) => visitStrings(item, onString));
  if (value !== null && typeof value === "object") {
    const copy: Record<string, Json> = {};
    for (const [key, item] of Object.entries(value)) copy[key] = visitStrings(item, onString);
    return copy;
  }
  return value as Json;
}
