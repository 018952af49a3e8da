/** Formats rows as aligned columns under a header. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n") + "\n";
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
