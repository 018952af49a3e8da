import { formatBytes } from "./output.ts";
import type { CliIO } from "./io.ts";

/**
 * A one-line progress indicator on stderr, redrawn at most ten times a second.
 * It draws nothing unless stderr is a terminal, so logs and pipes stay clean.
 */
export function createProgress(io: CliIO, label: string) {
  const started = Date.now();
  let lastDraw = 0;
  let drawn = false;

  function draw(done: number, total?: number, force = false) {
    if (!io.interactive) return;
    const now = Date.now();
    if (!force && now - lastDraw < 100) return;
    lastDraw = now;
    const seconds = Math.max((now - started) / 1000, 0.001);
    const rate = `${formatBytes(done / seconds)}/s`;
    const amount = total ? `${formatBytes(done)} / ${formatBytes(total)} (${Math.floor((done / total) * 100)}%)` : formatBytes(done);
    io.stderr(`\r\x1b[2K${label} ${amount}  ${rate}`);
    drawn = true;
  }

  return {
    update: (done: number, total?: number) => draw(done, total),
    /** Clears the line, so what is printed next starts clean. */
    finish() {
      if (drawn) io.stderr("\r\x1b[2K");
    },
  };
}
