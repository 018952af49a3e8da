import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { access, lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { pack, type Header } from "tar-stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { unpackArchive } from "../../src/client/unpack.ts";

type HeaderArgument = Partial<Header> & Pick<Header, "name">;

let tmp: string;
let out: string;

beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "cubqueue-unpack-"));
  out = path.join(tmp, "out");
});

afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Builds a tar in memory with tar-stream, so tests can craft entries no honest archiver writes. */
async function buildTar(entries: { header: HeaderArgument; content?: string | Buffer }[]): Promise<Buffer> {
  const tar = pack();
  for (const { header, content } of entries) {
    if (content === undefined) tar.entry(header);
    else tar.entry(header, content);
  }
  tar.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of tar) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const exists = (target: string) =>
  access(target).then(
    () => true,
    () => false,
  );

const webStream = (bytes: Buffer) => new Blob([new Uint8Array(bytes)]).stream();

describe("unpackArchive", () => {
  it("writes files and directories, creating the missing output folder, and counts them", async () => {
    const big = randomBytes(3 * 1024 * 1024 + 5);
    const tar = await buildTar([
      { header: { name: "dir", type: "directory" } },
      { header: { name: "dir/empty", type: "directory" } },
      { header: { name: "dir/a.txt" }, content: "alpha" },
      { header: { name: "big.bin" }, content: big },
      { header: { name: "implicit/parent/file.txt" }, content: "made its parents" },
    ]);

    const result = await unpackArchive(webStream(tar), out, "tar");

    expect(result).toEqual({ files: 3, directories: 2, bytes: 5 + big.length + 16 });
    expect(await readFile(path.join(out, "dir/a.txt"), "utf8")).toBe("alpha");
    expect((await readFile(path.join(out, "big.bin"))).equals(big)).toBe(true);
    expect(await readFile(path.join(out, "implicit/parent/file.txt"), "utf8")).toBe("made its parents");
    expect((await stat(path.join(out, "dir/empty"))).isDirectory()).toBe(true);
  });

  it("reads tar.gz and accepts Node streams as well as web streams", async () => {
    const tar = await buildTar([{ header: { name: "a.txt" }, content: "gzipped" }]);

    await unpackArchive(Readable.from([gzipSync(tar)]), out, "tar.gz");

    expect(await readFile(path.join(out, "a.txt"), "utf8")).toBe("gzipped");
  });

  it("keeps modes within 0o777, always user read-write, and restores modification times", async () => {
    const mtime = new Date("2021-03-04T05:06:07Z");
    const tar = await buildTar([
      { header: { name: "setuid", mode: 0o4755, mtime }, content: "x" },
      { header: { name: "read-only", mode: 0o400, mtime }, content: "x" },
      { header: { name: "dir", type: "directory", mode: 0o750, mtime } },
      { header: { name: "dir/inner.txt", mtime: new Date() }, content: "x" },
    ]);

    await unpackArchive(webStream(tar), out, "tar");

    expect((await stat(path.join(out, "setuid"))).mode & 0o7777).toBe(0o755);
    expect((await stat(path.join(out, "read-only"))).mode & 0o7777).toBe(0o600);
    expect((await stat(path.join(out, "dir"))).mode & 0o7777).toBe(0o750);
    expect((await stat(path.join(out, "setuid"))).mtime).toEqual(mtime);
    expect((await stat(path.join(out, "dir"))).mtime).toEqual(mtime);
  });
});

describe("archives from other tools", () => {
  it.skipIf(spawnSync("tar", ["--version"]).status !== 0)("unpacks what GNU tar writes, ./ entries and GNU long names included", async () => {
    const source = path.join(tmp, "source");
    const longName = `${"d".repeat(120)}/${"f".repeat(150)}.txt`;
    await mkdir(path.join(source, "d".repeat(120)), { recursive: true });
    await writeFile(path.join(source, longName), "long");
    await writeFile(path.join(source, "short.txt"), "short");
    const tar = execFileSync("tar", ["--format=gnu", "-cf", "-", "-C", source, "."]);

    const result = await unpackArchive(Readable.from([tar]), out, "tar");

    expect(result).toMatchObject({ files: 2, directories: 1, bytes: 9 });
    expect(await readFile(path.join(out, longName), "utf8")).toBe("long");
    expect(await readFile(path.join(out, "short.txt"), "utf8")).toBe("short");
  });
});

describe("unsafe entries", () => {
  it("refuses an entry whose ../ path escapes the output folder, naming it", async () => {
    const tar = await buildTar([
      { header: { name: "fine.txt" }, content: "ok" },
      { header: { name: "../evil" }, content: "pwned" },
    ]);

    await expect(unpackArchive(webStream(tar), out, "tar")).rejects.toThrow(/"\.\.\/evil"/);
    expect(await exists(path.join(tmp, "evil"))).toBe(false);
  });

  it("refuses a nested path that climbs out with .. segments", async () => {
    const tar = await buildTar([{ header: { name: "a/b/../../../escaped.txt" }, content: "pwned" }]);

    await expect(unpackArchive(webStream(tar), out, "tar")).rejects.toThrow(/escaped\.txt/);
    expect(await exists(path.join(tmp, "escaped.txt"))).toBe(false);
  });

  it("accepts .. segments that stay inside the output folder", async () => {
    const tar = await buildTar([{ header: { name: "a/../b.txt" }, content: "inside" }]);

    await unpackArchive(webStream(tar), out, "tar");

    expect(await readFile(path.join(out, "b.txt"), "utf8")).toBe("inside");
  });

  it("refuses an absolute path", async () => {
    const target = path.join(tmp, "absolute.txt");
    const tar = await buildTar([{ header: { name: target }, content: "pwned" }]);

    await expect(unpackArchive(webStream(tar), out, "tar")).rejects.toThrow(/absolute/);
    expect(await exists(target)).toBe(false);
  });

  it("skips symlinks, hard links and device entries", async () => {
    const tar = await buildTar([
      { header: { name: "real.txt" }, content: "real" },
      { header: { name: "soft", type: "symlink", linkname: "/etc/passwd" } },
      { header: { name: "hard", type: "link", linkname: "real.txt" } },
      { header: { name: "null", type: "character-device", devmajor: 1, devminor: 3 } },
      { header: { name: "fifo", type: "fifo" } },
      { header: { name: "after.txt" }, content: "still read" },
    ]);

    const result = await unpackArchive(webStream(tar), out, "tar");

    expect(result.files).toBe(2);
    expect((await readdir(out)).sort()).toEqual(["after.txt", "real.txt"]);
  });

  it("does not write through a symlink already in the output folder", async () => {
    const outside = path.join(tmp, "outside");
    await mkdir(outside);
    await mkdir(out);
    await symlink(outside, path.join(out, "link"));
    await symlink(path.join(outside, "target.txt"), path.join(out, "file-link"));

    const throughDirectory = await buildTar([{ header: { name: "link/planted.txt" }, content: "pwned" }]);
    await expect(unpackArchive(webStream(throughDirectory), out, "tar")).rejects.toThrow(/link\/planted\.txt/);
    const throughFile = await buildTar([{ header: { name: "file-link" }, content: "pwned" }]);
    await expect(unpackArchive(webStream(throughFile), out, "tar")).rejects.toThrow();

    expect(await readdir(outside)).toEqual([]);
    expect((await lstat(path.join(out, "file-link"))).isSymbolicLink()).toBe(true);
  });
});

describe("broken archives", () => {
  let tar: Buffer;

  beforeEach(async () => {
    tar = await buildTar([
      { header: { name: "first.bin" }, content: randomBytes(4096) },
      { header: { name: "second.bin" }, content: randomBytes(100_000) },
    ]);
  });

  it("an archive cut inside a file rejects", async () => {
    await expect(unpackArchive(webStream(tar.subarray(0, 4096 + 512 + 50_000)), out, "tar")).rejects.toThrow();
  });

  it("an archive cut exactly between two entries rejects", async () => {
    await expect(unpackArchive(webStream(tar.subarray(0, 512 + 4096)), out, "tar")).rejects.toThrow(/truncated/);
  });

  it("an empty input rejects", async () => {
    await expect(unpackArchive(webStream(Buffer.alloc(0)), out, "tar")).rejects.toThrow(/truncated/);
  });

  it("a truncated tar.gz rejects", async () => {
    const gz = gzipSync(tar);
    await expect(unpackArchive(webStream(gz.subarray(0, gz.length - 100)), out, "tar.gz")).rejects.toThrow();
  });

  it("garbage rejects", async () => {
    await expect(unpackArchive(webStream(randomBytes(10_000)), out, "tar")).rejects.toThrow();
    await expect(unpackArchive(webStream(randomBytes(10_000)), out, "tar.gz")).rejects.toThrow();
  });

  it("a source stream that fails rejects with its error", async () => {
    const failing = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(tar.subarray(0, 1000));
        controller.error(new Error("connection reset"));
      },
    });

    await expect(unpackArchive(failing, out, "tar")).rejects.toThrow(/connection reset/);
  });
});
