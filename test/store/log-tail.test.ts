import { appendFile, mkdtemp, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tailLines } from "../../src/store/log-tail.ts";

const KiB = 1024;
const MiB = 1024 * KiB;

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "cubqueue-log-tail-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes `content` to a fresh file in the test directory and returns its path. */
async function logFile(content: string | Buffer): Promise<string> {
  const path = join(dir, "task.log");
  await writeFile(path, content);
  return path;
}

describe("tailLines", () => {
  it("returns the last N lines of a small file", async () => {
    const path = await logFile("one\ntwo\nthree\nfour\n");
    expect(await tailLines(path, 2)).toBe("three\nfour\n");
    expect(await tailLines(path, 1)).toBe("four\n");
  });

  it("returns the whole file when N equals its line count exactly", async () => {
    const path = await logFile("one\ntwo\nthree\n");
    expect(await tailLines(path, 3)).toBe("one\ntwo\nthree\n");
  });

  it("returns the whole file when N is larger than its line count", async () => {
    const path = await logFile("one\ntwo\n");
    expect(await tailLines(path, 1000)).toBe("one\ntwo\n");
  });

  it("counts a last line without a newline as a line and returns it without one", async () => {
    const path = await logFile("one\ntwo\nthree");
    expect(await tailLines(path, 1)).toBe("three");
    expect(await tailLines(path, 2)).toBe("two\nthree");
    expect(await tailLines(path, 5)).toBe("one\ntwo\nthree");
  });

  it("keeps empty lines, but does not count the trailing newline as an extra empty line", async () => {
    const path = await logFile("one\n\n\ntwo\n\n");
    expect(await tailLines(path, 1)).toBe("\n");
    expect(await tailLines(path, 2)).toBe("two\n\n");
    expect(await tailLines(path, 3)).toBe("\ntwo\n\n");
  });

  it("reads a file holding a single newline as one empty line", async () => {
    const path = await logFile("\n");
    expect(await tailLines(path, 1)).toBe("\n");
    expect(await tailLines(path, 3)).toBe("\n");
  });

  it("reads an empty file as an empty string", async () => {
    const path = await logFile("");
    expect(await tailLines(path, 10)).toBe("");
  });

  it("reads a missing file as an empty string", async () => {
    expect(await tailLines(join(dir, "does-not-exist.log"), 10)).toBe("");
  });

  it("returns an empty string for zero or negative N", async () => {
    const path = await logFile("one\ntwo\n");
    expect(await tailLines(path, 0)).toBe("");
    expect(await tailLines(path, -3)).toBe("");
  });

  it("returns CRLF lines as they are", async () => {
    const path = await logFile("one\r\ntwo\r\nthree\r\n");
    expect(await tailLines(path, 2)).toBe("two\r\nthree\r\n");
  });

  it("decodes a multi-byte character that straddles the 64 KiB chunk boundary", async () => {
    // "€" is 3 bytes (E2 82 AC). Place it so that the boundary between the last
    // chunk and the one before (64 KiB from the end) falls inside it.
    const tail = "x".repeat(64 * KiB - 2) + "\n"; // last 64 KiB - 1 bytes
    const line = "before €" + tail; // "€" occupies bytes -64KiB-2 .. -64KiB from the end
    const content = "first line\n" + line;
    const bytes = Buffer.from(content);
    const euroAt = bytes.indexOf(Buffer.from("€"));
    const boundary = bytes.length - 64 * KiB;
    expect(euroAt).toBeLessThan(boundary);
    expect(euroAt + 3).toBeGreaterThan(boundary);

    const path = await logFile(bytes);
    expect(await tailLines(path, 1)).toBe(line);
    expect(await tailLines(path, 2)).toBe(content);
  });

  it("returns a single line longer than several chunks in full", async () => {
    const longLine = "0123456789abcdef".repeat((5 * 64 * KiB) / 16 + 3) + "\n";
    const path = await logFile("short\n" + longLine);
    expect(await tailLines(path, 1)).toBe(longLine);
    expect(await tailLines(path, 2)).toBe("short\n" + longLine);
  });

  it("finds lines whose newlines fall exactly on chunk boundaries", async () => {
    // Lines of exactly 64 KiB (newline included), so every chunk boundary sits
    // right after a newline.
    const lines = ["a", "b", "c", "d"].map((c) => c.repeat(64 * KiB - 1) + "\n");
    const path = await logFile(lines.join(""));
    expect(await tailLines(path, 1)).toBe(lines[3]);
    expect(await tailLines(path, 3)).toBe(lines.slice(1).join(""));
    expect(await tailLines(path, 4)).toBe(lines.join(""));
  });

  it("reads the last 100 lines of a ~300 MB file without reading the rest", async () => {
    const path = join(dir, "big.log");
    // A sparse 300 MB prefix costs no disk writes, but the file really is that large.
    await writeFile(path, "");
    await truncate(path, 300 * MiB);
    const lastLines = Array.from({ length: 150 }, (_, i) => `line ${i} ${"·".repeat(i % 40)}\n`);
    await appendFile(path, lastLines.join(""));

    const started = performance.now();
    const result = await tailLines(path, 100);
    const elapsed = performance.now() - started;
    console.log(`tailLines(300 MB file, 100) took ${elapsed.toFixed(2)} ms`);

    expect(result).toBe(lastLines.slice(50).join(""));
  });
});
