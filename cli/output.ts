/** Formats rows as aligned columns under a header. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return columns(header, rows).text;
}

/**
 * Rows as aligned columns, under the header if one is given; `earlier`, the widths of an
 * earlier part of the same table, keeps the columns where they were (a listing printed a
 * page at a time).
 */
export function columns(header: readonly string[] | undefined, rows: readonly (readonly string[])[], earlier: readonly number[] = []): { text: string; widths: number[] } {
  const all = header ? [header, ...rows] : rows;
  const count = Math.max(earlier.length, ...all.map((row) => row.length));
  const widths = Array.from({ length: count }, (_, column) => Math.max(earlier[column] ?? 0, ...all.map((row) => (row[column] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join("  ")
      .trimEnd();
  return { text: all.map(line).join("\n") + "\n", widths };
}

/**
 * Sizes and durations are written as the server writes them in its messages: sizes in
 * powers of 1024 (KiB, MiB, GiB), durations as "0.5s", "45s", "2h", "1h 30m".
 */
export { formatByteSize as formatBytes } from "../src/byte-size.ts";
export { formatDuration } from "../src/lifecycle/run-policy.ts";

/** "2026-11-21 14:03:07" in local time: readable, sortable, unambiguous enough for a terminal. */
export function formatTime(iso: string | null): string {
  if (!iso) return "-";
  const date = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
