import { createHash, randomBytes } from "node:crypto";
import { appendFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { createFileHashes, type FileHashes } from "../../src/store/file-hashes.ts";

const sha256 = (...parts: Buffer[]) => createHash("sha256").update(Buffer.concat(parts)).digest("hex");

describe("file hashes", () => {
  let dir: string;
  let hashes: FileHashes | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "cubqueue-file-hashes-"));
  });
  afterEach(async () => {
    await hashes?.close();
    hashes = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  test("hash files on the worker as they grow, several at once, each to its own digest", async () => {
    hashes = createFileHashes();
    // Pieces around the worker's 4 MiB reads, and an empty file.
    const pieces = [randomBytes(1), randomBytes(4 * 1024 * 1024 + 3), randomBytes(65_536), randomBytes(9 * 1024 * 1024)];
    const paths = [join(dir, "a"), join(dir, "b"), join(dir, "empty")];
    await Promise.all(paths.map((path) => writeFile(path, "")));
    const [a, b, empty] = paths.map((path) => hashes!.start(path));
    let written = 0;
    let bWritten = 0;
    for (const piece of pieces) {
      await appendFile(paths[0]!, piece);
      await appendFile(paths[1]!, piece.subarray(0, 1000));
      written += piece.length;
      bWritten += Math.min(piece.length, 1000);
      a!.advance(written);
      b!.advance(bWritten);
    }
    expect(await a!.digest(written)).toBe(sha256(...pieces));
    expect(await b!.digest(bWritten)).toBe(sha256(...pieces.map((piece) => piece.subarray(0, 1000))));
    expect(await empty!.digest(0)).toBe(sha256());
    expect(hashes.readHere).toBe(0);
  });

  test("a dropped hash is forgotten; the same file hashed again from its start", async () => {
    hashes = createFileHashes();
    const path = join(dir, "file");
    const first = randomBytes(100_000);
    await writeFile(path, first);
    hashes.start(path).advance(first.length);
    hashes.start(path).drop();
    const again = hashes.start(path);
    again.advance(50_000);
    const more = randomBytes(10);
    await appendFile(path, more);
    expect(await again.digest(first.length + more.length)).toBe(sha256(first, more));
    expect(hashes.readHere).toBe(0);
  });

  test("a file shorter than it was said to be, or a worker that cannot start, gets its digest read here, never a wrong one", async () => {
    hashes = createFileHashes();
    const path = join(dir, "short");
    const content = randomBytes(1000);
    await writeFile(path, content);
    const short = hashes.start(path);
    short.advance(2 * 1024 * 1024);
    expect(await short.digest(1000)).toBe(sha256(content));
    expect(hashes.readHere).toBe(1);
    await hashes.close();

    hashes = createFileHashes({ workerUrl: new URL("file:///nonexistent/hash-files.mjs") });
    const other = hashes.start(path);
    other.advance(1000);
    expect(await other.digest(1000)).toBe(sha256(content));
    expect(hashes.readHere).toBe(1);
  });
});
