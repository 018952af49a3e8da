import { execFileSync } from "node:child_process";
import { appendFile, link, mkdir, mkdtemp, rm, symlink, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_TAIL_MAX_BYTES, tailLines } from "../../src/store/log-tail.ts";
import { NotRegularFileError } from "../../src/store/open-task-file.ts";

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

/** The tail's text alone, for the tests about which lines come back. */
async function tail(path: string, lines: number): Promise<string> {
  return (await tailLines(path, lines)).content;
}

describe("tailLines", () => {
  it("returns the last N lines of a small file", async () => {
    const path = await logFile("one\ntwo\nthree\nfour\n");
    expect(await tail(path, 2)).toBe("three\nfour\n");
    expect(await tail(path, 1)).toBe("four\n");
  });

  it("returns the whole file when N equals its line count exactly", async () => {
    const path = await logFile("one\ntwo\nthree\n");
    expect(await tail(path, 3)).toBe("one\ntwo\nthree\n");
  });

  it("returns the whole file when N is larger than its line count", async () => {
    const path = await logFile("one\ntwo\n");
    expect(await tail(path, 1000)).toBe("one\ntwo\n");
  });

  it("counts a last line without a newline as a line and returns it without one", async () => {
    const path = await logFile("one\ntwo\nthree");
    expect(await tail(path, 1)).toBe("three");
    expect(await tail(path, 2)).toBe("two\nthree");
    expect(await tail(path, 5)).toBe("one\ntwo\nthree");
  });

  it("keeps empty lines, but does not count the trailing newline as an extra empty line", async () => {
    const path = await logFile("one\n\n\ntwo\n\n");
    expect(await tail(path, 1)).toBe("\n");
    expect(await tail(path, 2)).toBe("two\n\n");
    expect(await tail(path, 3)).toBe("\ntwo\n\n");
  });

  it("reads a file holding a single newline as one empty line", async () => {
    const path = await logFile("\n");
    expect(await tail(path, 1)).toBe("\n");
    expect(await tail(path, 3)).toBe("\n");
  });

  it("reads an empty file as an empty string", async () => {
    const path = await logFile("");
    expect(await tail(path, 10)).toBe("");
  });

  it("reads a missing file as an empty string", async () => {
    expect(await tail(join(dir, "does-not-exist.log"), 10)).toBe("");
  });

  it("returns an empty string for zero or negative N", async () => {
    const path = await logFile("one\ntwo\n");
    expect(await tail(path, 0)).toBe("");
    expect(await tail(path, -3)).toBe("");
  });

  it("returns CRLF lines as they are", async () => {
    const path = await logFile("one\r\ntwo\r\nthree\r\n");
    expect(await tail(path, 2)).toBe("two\r\nthree\r\n");
  });

  it("decodes a multi-byte character that straddles the 64 KiB chunk boundary", async () => {
    // "€" is 3 bytes (E2 82 AC). Place it so that the boundary between the last
    // chunk and the one before (64 KiB from the end) falls inside it.
    const ending = "x".repeat(64 * KiB - 2) + "\n"; // last 64 KiB - 1 bytes
    const line = "before €" + ending; // "€" occupies bytes -64KiB-2 .. -64KiB from the end
    const content = "first line\n" + line;
    const bytes = Buffer.from(content);
    const euroAt = bytes.indexOf(Buffer.from("€"));
    const boundary = bytes.length - 64 * KiB;
    expect(euroAt).toBeLessThan(boundary);
    expect(euroAt + 3).toBeGreaterThan(boundary);

    const path = await logFile(bytes);
    expect(await tail(path, 1)).toBe(line);
    expect(await tail(path, 2)).toBe(content);
  });

  it("returns a single line longer than several chunks in full", async () => {
    const longLine = "0123456789abcdef".repeat((5 * 64 * KiB) / 16 + 3) + "\n";
    const path = await logFile("short\n" + longLine);
    expect(await tail(path, 1)).toBe(longLine);
    expect(await tail(path, 2)).toBe("short\n" + longLine);
  });

  it("finds lines whose newlines fall exactly on chunk boundaries", async () => {
    // Lines of exactly 64 KiB (newline included), so every chunk boundary sits
    // right after a newline.
    const lines = ["a", "b", "c", "d"].map((c) => c.repeat(64 * KiB - 1) + "\n");
    const path = await logFile(lines.join(""));
    expect(await tail(path, 1)).toBe(lines[3]);
    expect(await tail(path, 3)).toBe(lines.slice(1).join(""));
    expect(await tail(path, 4)).toBe(lines.join(""));
  });

  it("reads the last 100 lines of a ~300 MB file without reading the rest", async () => {
    const path = join(dir, "big.log");
    // A sparse 300 MB prefix costs no disk writes, but the file really is that large.
    await writeFile(path, "");
    await truncate(path, 300 * MiB);
    const lastLines = Array.from({ length: 150 }, (_, i) => `line ${i} ${"·".repeat(i % 40)}\n`);
    await appendFile(path, lastLines.join(""));

    const started = performance.now();
    const result = await tail(path, 100);
    const elapsed = performance.now() - started;
    console.log(`tailLines(300 MB file, 100) took ${elapsed.toFixed(2)} ms`);

    expect(result).toBe(lastLines.slice(50).join(""));
  });
});

describe("carriage returns", () => {
  it("counts a lone \\r as a line break, as progress bars redraw with it", async () => {
    const path = await logFile("start\n 10%\r 20%\r 30%\r");
    expect(await tail(path, 1)).toBe(" 30%\r");
    expect(await tail(path, 2)).toBe(" 20%\r 30%\r");
    expect(await tail(path, 4)).toBe("start\n 10%\r 20%\r 30%\r");
  });

  it("counts \\r\\n as one break, also when a chunk boundary falls between \\r and \\n", async () => {
    // The last chunk starts exactly at the "\n" of the "\r\n" ending the first line.
    const last = "y".repeat(64 * KiB - 3) + "\r\n";
    const bytes = Buffer.from("first\r" + "\n" + last);
    expect(bytes.length - 64 * KiB).toBe("first\r".length);
    const path = await logFile(bytes);
    expect(await tail(path, 1)).toBe(last);
    expect(await tail(path, 2)).toBe("first\r\n" + last);
  });

  it("mixes \\n, \\r\\n and lone \\r breaks", async () => {
    const path = await logFile("a\nb\r\nc\rd");
    expect(await tail(path, 1)).toBe("d");
    expect(await tail(path, 2)).toBe("c\rd");
    expect(await tail(path, 3)).toBe("b\r\nc\rd");
    expect(await tail(path, 4)).toBe("a\nb\r\nc\rd");
  });
});

describe("the byte cap", () => {
  it("returns at most 1 MiB by default, from the end, and says it was cut", async () => {
    const path = join(dir, "one-line.log");
    await writeFile(path, "");
    await truncate(path, 50 * MiB);
    await appendFile(path, "the end\n");
    const result = await tailLines(path, 1);
    expect(DEFAULT_TAIL_MAX_BYTES).toBe(MiB);
    expect(result.truncated).toBe(true);
    expect(result.bytes).toBe(MiB);
    expect(result.content.length).toBe(MiB);
    expect(result.content.endsWith("\0the end\n")).toBe(true);
  });

  it("cuts forward to a whole UTF-8 character", async () => {
    // Each "€" is 3 bytes: an 11-byte cap from the end lands inside the fourth-last one.
    const path = await logFile("€€€€€€\n");
    const result = await tailLines(path, 1, 11);
    expect(result).toEqual({ content: "€€€\n", bytes: 10, truncated: true });
  });

  it("is not truncated when the wanted lines fit the cap exactly", async () => {
    const path = await logFile("older\n12345\n6789\n");
    expect(await tailLines(path, 2, "12345\n6789\n".length)).toEqual({ content: "12345\n6789\n", bytes: 11, truncated: false });
    expect(await tailLines(path, 3, 11)).toEqual({ content: "12345\n6789\n", bytes: 11, truncated: true });
    expect(await tailLines(path, 3, 100)).toEqual({ content: "older\n12345\n6789\n", bytes: 17, truncated: false });
  });

  it("a \\r-only log of progress bars gives its last redraws, capped", async () => {
    const redraw = (i: number) => `${String(i).padStart(8)} it [00:01, 123.45it/s]\r`;
    const path = await logFile(Array.from({ length: 100_000 }, (_, i) => redraw(i)).join(""));
    expect(await tail(path, 2)).toBe(redraw(99_998) + redraw(99_999));
    const capped = await tailLines(path, 100_000, 64 * KiB);
    expect(capped.truncated).toBe(true);
    expect(capped.bytes).toBeLessThanOrEqual(64 * KiB);
    expect(capped.content.endsWith(redraw(99_999))).toBe(true);
  });
});

describe("what a script may put in the log's place", () => {
  it("refuses a symlink (to /etc/passwd), without following it", async () => {
    const path = join(dir, "task.log");
    await symlink("/etc/passwd", path);
    await expect(tailLines(path, 10)).rejects.toMatchObject({ name: "NotRegularFileError", found: "symlink" });
  });

  it("refuses a FIFO without waiting for a writer", async () => {
    const path = join(dir, "task.log");
    execFileSync("mkfifo", [path]);
    await expect(tailLines(path, 10)).rejects.toMatchObject({ found: "FIFO" });
  });

  it("refuses a directory", async () => {
    const path = join(dir, "task.log");
    await mkdir(path);
    await expect(tailLines(path, 10)).rejects.toBeInstanceOf(NotRegularFileError);
    await expect(tailLines(path, 10)).rejects.toMatchObject({ found: "directory" });
  });

  it("refuses a hard link to a file elsewhere", async () => {
    const secret = join(dir, "secret.db");
    await writeFile(secret, "secret\n");
    await link(secret, join(dir, "task.log"));
    await expect(tailLines(join(dir, "task.log"), 10)).rejects.toMatchObject({ found: "file with other hard links" });
  });
});
