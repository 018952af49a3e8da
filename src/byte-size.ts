const UNITS = ["KiB", "MiB", "GiB", "TiB"] as const;
const POWERS: Record<string, number> = { "": 0, B: 0, K: 1, M: 2, G: 3, T: 4 };

/**
 * Reads a size as people write it: "1073741824", "512M", "10G", "1.5GiB".
 * Units are powers of 1024. Undefined when it is not a size.
 */
export function parseByteSize(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:([KMGT])(?:I?B)?|(B))?\s*$/i.exec(text);
  if (!match) return undefined;
  const power = POWERS[(match[2] ?? match[3] ?? "").toUpperCase()] ?? 0;
  const bytes = Math.floor(Number(match[1]) * 1024 ** power);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** "2 GiB", "1.5 MiB", "300 bytes": limits as people write them. */
export function formatByteSize(bytes: number): string {
  if (!Number.isFinite(bytes)) return "unlimited";
  let value = bytes;
  let unit = bytes === 1 ? "byte" : "bytes";
  for (const next of UNITS) {
    if (value < 1024) break;
    value /= 1024;
    unit = next;
  }
  return `${Number(value.toFixed(2))} ${unit}`;
}
