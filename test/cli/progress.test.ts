import { describe, expect, it } from "vitest";
import { createProgress, progressLine } from "../../cli/progress.ts";
import type { CliIO } from "../../cli/io.ts";

describe("progress lines", () => {
  it.each([
    ["Uploading", 0, 1000, 0, "Uploading 0 bytes / 1000 bytes (0 %)  0 bytes/s"],
    ["Uploading", 825, 1000, 1025, "Uploading 825 bytes / 1000 bytes (82 %)  805 bytes/s"],
    ["Downloading", 1536 * 1024, 3 * 1024 * 1024, 500, "Downloading 1.5 MiB / 3 MiB (50 %)  3 MiB/s"],
    ["Downloading", 3 * 1024 * 1024 - 1, 3 * 1024 * 1024, 1000, "Downloading 3 MiB / 3 MiB (99 %)  3 MiB/s"],
    ["Downloading", 3 * 1024 * 1024, 3 * 1024 * 1024, 1000, "Downloading 3 MiB / 3 MiB (100 %)  3 MiB/s"],
    ["Downloading", 123456789, undefined, 7000, "Downloading 117.74 MiB  16.82 MiB/s"],
  ] as const)("%s %d of %s after %d ms reads %j", (label, done, total, elapsed, line) => {
    expect(progressLine(label, done, total, elapsed)).toBe(line);
  });

  it("is redrawn on a terminal only, and its last state, at 100 %, stays on screen", () => {
    const written: string[] = [];
    let clock = 0;
    const io = { stdout: () => {}, stdoutBytes: async () => {}, stderr: (text: string) => written.push(text), interactive: true, env: {} } satisfies CliIO;
    const progress = createProgress(io, "Uploading", () => clock);
    clock = 200;
    progress.update(512, 1024);
    clock = 250;
    progress.update(1024, 1024); // within 100 ms of the last draw: not drawn now
    progress.finish();
    expect(written).toEqual([
      "\r\x1b[2KUploading 512 bytes / 1 KiB (50 %)  2.5 KiB/s",
      "\r\x1b[2KUploading 1 KiB / 1 KiB (100 %)  4 KiB/s",
      "\n",
    ]);

    const quiet: string[] = [];
    const piped = createProgress({ ...io, stderr: (text) => quiet.push(text), interactive: false }, "Uploading", () => clock);
    piped.update(1, 2);
    piped.finish();
    expect(quiet).toEqual([]);
  });
});
