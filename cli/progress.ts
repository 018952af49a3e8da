import { formatBytes } from "./output.ts";
import type { CliIO } from "./io.ts";

/**
 * A one-line progress indicator on stderr, redrawn at most ten times a second:
 * "Uploading 12.5 MiB / 100 MiB (12 %)  25.1 MiB/s". It draws nothing unless
 * stderr is a terminal, so logs and pipes stay clean. Its last state stays on
 * screen once the work is done (100 % when it all arrived).
 */
export function createProgress(io: CliIO, label: string, now: () => number = Date.now) {
  const started = now();
  let lastDraw = 0;
  let last: { done: number; total: number | undefined } | undefined;

  function draw(done: number, total: number | undefined, force: boolean) {
    last = { done, total };
    if (!io.interactive) return;
    const time = now();
    if (!force && time - lastDraw < 100) return;
    lastDraw = time;
    io.stderr(`\r\x1b[2K${progressLine(label, done, total, time - started)}`);
  }

  return {
    update: (done: number, total?: number) => draw(done, total, false),
    /** Draws the final state and ends the line, so what is printed next starts clean. */
    finish() {
      if (last === undefined || !io.interactive) return;
      draw(last.done, last.total, true);
      io.stderr("\n");
    },
  };
}

/** The text of a progress line: what is done, of how much, and how fast. */
export function progressLine(label: string, done: number, total: number | undefined, elapsedMs: number): string {
  const rate = `${formatBytes(Math.round(done / Math.max(elapsedMs / 1000, 0.001)))}/s`;
  // Floored, so 100 % means all of it.
  const amount = total ? `${formatBytes(done)} / ${formatBytes(total)} (${Math.floor((Math.min(done, total) / total) * 100)} %)` : formatBytes(done);
  return `${label} ${amount}  ${rate}`;
}
