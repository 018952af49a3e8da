import type { Row } from "./rows.ts";

/** Numbers as people read them: 3 significant digits, no exponent for ordinary sizes. */
export function formatNumber(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return "—";
  const magnitude = Math.abs(value);
  if (magnitude >= 100) return Math.round(value).toLocaleString("en-US");
  if (magnitude >= 10) return value.toFixed(1);
  if (magnitude >= 1) return value.toFixed(2);
  return value.toPrecision(2);
}

function verdict(row: Row): string {
  if (row.skipped) return "skipped";
  if (row.met === null) return "";
  return row.met ? "met" : "MISSED";
}

/** The result table as Markdown, one row per measured figure, with notes below it. */
export function formatTable(rows: readonly Row[]): string {
  const header = ["metric", "CubQueue", "unit", "reference (same run)", "ref", "ratio", "target", ""];
  const body = rows.map((row) => [
    row.metric,
    row.skipped ? "skipped" : formatNumber(row.value),
    row.unit,
    row.reference,
    formatNumber(row.referenceValue),
    row.ratio === null ? "—" : `${formatNumber(row.ratio)}×`,
    row.target,
    verdict(row),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((cells) => cells[column]!.length)));
  const line = (cells: readonly string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(" | ")} |`;
  const lines = [line(header), `|${widths.map((width) => "-".repeat(width + 2)).join("|")}|`, ...body.map(line)];
  // A note shared by consecutive rows (p50 and p95 of one series) is printed once.
  const texts = rows.map((row) => (row.skipped ? `skipped: ${row.skipped}` : row.notes));
  const notes = texts
    .map((note, index) => (note && note !== texts[index - 1] ? `- ${rows[index]!.metric}: ${note}` : ""))
    .filter(Boolean);
  return `${lines.join("\n")}\n${notes.length > 0 ? `\nNotes (ratio > 1 means CubQueue does better than the reference):\n${notes.join("\n")}\n` : ""}`;
}
