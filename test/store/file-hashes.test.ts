import { createHash, randomBytes } from "node:crypto";
import { appendFile, mkdtemp, open, readdir, readlink, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { createFileHashes, type FileHashes } from "../../src/store/file-hashes.ts";
import { createFsSteps, type FsSteps } from "../../src/store/fs-steps.ts";

const sha256 = (...parts: Buffer[]) => createHash("sha256").update(Buffer.concat(parts)).digest("hex");

describe("file hashes", () => {
  let dir: string;
  let hashes: FileHashes | undefined;
  let fsSteps: FsSteps | undefined;
  /** Hashes on a folder worker of their own, as the server's are. */
  const startHashes = (workerUrl?: URL) => {
    fsSteps = createFsSteps({ workerUrl });
    return createFileHashes({ connect: (lost) => fsSteps!.hashPort(lost) });
  };
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "cubqueue-file-hashes-"));
  });
  afterEach(async () => {
    await hashes?.close();
    await fsSteps?.close();
    hashes = undefined;
    fsSteps = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  test("hash files on the worker as they grow, several at once, each to its own digest", async () => {
    hashes = startHashes();
    // Pieces around the worker's 2 MiB reads, and an empty file.
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
    hashes = startHashes();
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
    hashes = startHashes();
    const path = join(dir, "short");
    const content = randomBytes(1000);
    await writeFile(path, content);
    const short = hashes.start(path);
    short.advance(2 * 1024 * 1024);
    expect(await short.digest(1000)).toBe(sha256(content));
    expect(hashes.readHere).toBe(1);
    await hashes.close();
    await fsSteps!.close();

    hashes = startHashes(new URL("file:///nonexistent/fs-steps.mjs"));
    const other = hashes.start(path);
    other.advance(1000);
    expect(await other.digest(1000)).toBe(sha256(content));
    expect(hashes.readHere).toBe(1);
  });

  test("hashing a large file gives way to the folder steps the worker is given meanwhile", async () => {
    hashes = startHashes();
    const path = join(dir, "large");
    // 256 MiB: a few hundred milliseconds of hashing, read 2 MiB at a time.
    const piece = Buffer.alloc(1024 * 1024, 7);
    const expected = createHash("sha256");
    const file = await open(path, "w");
    for (let i = 0; i < 256; i++) {
      await file.write(piece);
      expected.update(piece);
    }
    await file.close();
    const order: string[] = [];
    // Once its service is up, so that both are carried out on the worker from their first message.
    await fsSteps!.run([{ op: "mkdir", path: join(dir, "ready"), mode: 0o700 }]);
    const whole = hashes.start(path).digest(256 * piece.length);
    void whole.then(() => order.push("digest"));
    // The hashing under way, not waiting to begin: the steps arrive in the middle of it.
    await new Promise((resolve) => setTimeout(resolve, 30));
    await fsSteps!.run([{ op: "mkdir", path: join(dir, "made"), mode: 0o700 }]);
    order.push("steps");
    expect(await whole).toBe(expected.digest("hex"));
    expect(order).toEqual(["steps", "digest"]);
    expect(hashes.readHere).toBe(0);
    expect(fsSteps!.ranHere).toBe(0);
  });

  test("a file being hashed is closed on the worker once the server stops hashing", async () => {
    hashes = startHashes();
    const path = join(dir, "open");
    await writeFile(path, randomBytes(3 * 1024 * 1024));
    hashes.start(path).advance(3 * 1024 * 1024);
    // The worker runs in this process: its descriptors are among this process's.
    const openHere = async () => (await Promise.all((await readdir("/proc/self/fd")).map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => "")))).includes(path);
    await vi.waitUntil(openHere, { timeout: 5_000, interval: 10 });
    await hashes.close();
    await vi.waitUntil(async () => !(await openHere()), { timeout: 5_000, interval: 10 });
  });
});
