import { execFileSync, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { chmod, link, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, symlink, truncate, utimes, writeFile, appendFile, readlink } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { unzipSync } from "fflate";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { unpackArchive } from "../../src/client/unpack.ts";
import {
  ARCHIVE_FORMATS,
  archiveContentType,
  archiveExtension,
  planArchive,
  streamArchive,
  type ArchiveEntry,
  type ArchiveFormat,
} from "../../src/store/archive.ts";

const hasCommand = (command: string, ...args: string[]) => spawnSync(command, args).status === 0;
const hasTar = hasCommand("tar", "--version");
const hasUnzip = hasCommand("unzip", "-v");
const hasMkfifo = hasCommand("mkfifo", "--version");

const LONG_DIR = `deeply/${"nested-directory-name/".repeat(6)}end`;
const LONG_COMPONENT = "f".repeat(200);

let tmp: string;

beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "cubqueue-archive-"));
});

afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function collect(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return Buffer.concat(chunks);
    chunks.push(value);
  }
}

async function archive(rootDir: string, format: ArchiveFormat): Promise<Buffer> {
  return collect(streamArchive((await planArchive(rootDir)).entries, format));
}

/**
 * Every file (as a digest of its content) and directory (as null) under dir, keyed by
 * "/"-separated relative path. Digests because deep-comparing megabyte buffers is slow.
 */
async function snapshot(dir: string): Promise<Map<string, string | null>> {
  const found = new Map<string, string | null>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const full = path.join(entry.parentPath, entry.name);
    const name = path.relative(dir, full).split(path.sep).join("/");
    found.set(name, entry.isDirectory() ? null : digest(await readFile(full)));
  }
  return new Map([...found].sort(([a], [b]) => (a < b ? -1 : 1)));
}

function digest(content: Uint8Array): string {
  return createHash("sha256").update(content).digest("hex");
}

/** A folder with nesting, an empty directory, a binary file spanning several read chunks and long paths. */
async function makeSampleFolder(root: string): Promise<void> {
  await mkdir(path.join(root, "nested/inner"), { recursive: true });
  await mkdir(path.join(root, "empty"));
  await mkdir(path.join(root, LONG_DIR), { recursive: true });
  await writeFile(path.join(root, "a.txt"), "hello\n");
  await writeFile(path.join(root, "nested/inner/deep.txt"), "deep\n");
  await writeFile(path.join(root, "nested/zero-bytes"), "");
  await writeFile(path.join(root, "binary.bin"), randomBytes(3 * 1024 * 1024 + 123));
  await writeFile(path.join(root, LONG_DIR, "file.txt"), "long path\n");
  await writeFile(path.join(root, LONG_COMPONENT), "long name\n");
  await writeFile(path.join(root, "résumé ünïcode.txt"), "utf-8 name\n");
  // Fixed modes so listings do not depend on the umask of whoever runs the tests.
  await chmod(path.join(root, "a.txt"), 0o644);
  await chmod(path.join(root, "binary.bin"), 0o644);
  await chmod(path.join(root, "empty"), 0o755);
}

function listTar(archiveBytes: Buffer, gzip = false): string[] {
  const output = execFileSync("tar", [gzip ? "-tzvf" : "-tvf", "-"], {
    input: archiveBytes,
    encoding: "utf8",
    env: { ...process.env, LC_ALL: "C.UTF-8" },
  });
  return output.trim() === "" ? [] : output.trim().split("\n");
}

async function fdCount(): Promise<number> {
  return (await readdir("/proc/self/fd")).length;
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return condition();
}

describe("formats", () => {
  it("each format has its content type and file extension", () => {
    expect(ARCHIVE_FORMATS).toEqual(["tar", "tar.gz", "zip"]);
    expect(ARCHIVE_FORMATS.map(archiveContentType)).toEqual(["application/x-tar", "application/gzip", "application/zip"]);
    expect(ARCHIVE_FORMATS.map(archiveExtension)).toEqual([".tar", ".tar.gz", ".zip"]);
  });
});

describe("planArchive", () => {
  it("lists files and directories, empty ones included, relative, '/'-separated and sorted by name", async () => {
    const root = path.join(tmp, "output");
    await makeSampleFolder(root);

    const entries = (await planArchive(root)).entries;

    const names = entries.map((entry) => entry.name);
    expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : 1)));
    expect(entries.find((entry) => entry.name === "empty")).toMatchObject({ type: "directory", size: 0 });
    expect(entries.find((entry) => entry.name === "nested/inner/deep.txt")).toMatchObject({
      type: "file",
      size: 5,
      path: path.join(root, "nested/inner/deep.txt"),
    });
    expect(names).toContain(`${LONG_DIR}/file.txt`);
    expect(names.every((name) => !name.startsWith("/") && !name.endsWith("/") && !name.includes("\\"))).toBe(true);
  });

  it("a missing root folder gives an empty plan", async () => {
    expect((await planArchive(path.join(tmp, "never-created"))).entries).toEqual([]);
  });

  it("a root folder that is itself a symlink gives an empty plan", async () => {
    await mkdir(path.join(tmp, "elsewhere"));
    await writeFile(path.join(tmp, "elsewhere/secret.txt"), "secret");
    await symlink(path.join(tmp, "elsewhere"), path.join(tmp, "output"));

    expect((await planArchive(path.join(tmp, "output"))).entries).toEqual([]);
  });
});

describe("symlinks and special files", () => {
  let root: string;

  beforeEach(async () => {
    root = path.join(tmp, "task/output");
    await mkdir(path.join(root, "dir"), { recursive: true });
    await writeFile(path.join(root, "real.txt"), "inside content\n");
    await writeFile(path.join(root, "dir/file.txt"), "in dir\n");
  });

  it("a symlink to /etc/passwd is not followed and its content never reaches the archive", async () => {
    await symlink("/etc/passwd", path.join(root, "x"));
    const passwd = await readFile("/etc/passwd");

    expect((await planArchive(root)).entries.map((entry) => entry.name)).not.toContain("x");
    expect((await archive(root, "tar")).includes(passwd)).toBe(false);
    expect(gunzipSync(await archive(root, "tar.gz")).includes(passwd)).toBe(false);
    expect((await archive(root, "zip")).includes(passwd)).toBe(false);
  });

  it("a symlink to ../../secret outside the folder is skipped", async () => {
    await writeFile(path.join(tmp, "secret"), "top secret");
    await symlink("../../secret", path.join(root, "sneaky"));

    const entries = (await planArchive(root)).entries;

    expect(entries.map((entry) => entry.name)).toEqual(["dir", "dir/file.txt", "real.txt"]);
    expect((await archive(root, "tar")).includes("top secret")).toBe(false);
  });

  it("a symlink to a sibling file inside is archived as a regular file with that file's content", async () => {
    await symlink("real.txt", path.join(root, "alias.txt"));

    const unpacked = path.join(tmp, "unpacked");
    await unpackArchive(streamArchive((await planArchive(root)).entries, "tar"), unpacked, "tar");

    expect(await readFile(path.join(unpacked, "alias.txt"), "utf8")).toBe("inside content\n");
    expect((await stat(path.join(unpacked, "alias.txt"))).isFile()).toBe(true);
    expect(unzipSync(await archive(root, "zip"))["alias.txt"]).toEqual(new Uint8Array(Buffer.from("inside content\n")));
  });

  it("a symlink to a directory inside is archived as that directory, and a link back to an ancestor is not followed", async () => {
    await symlink("dir", path.join(root, "dir-alias"));
    await symlink("..", path.join(root, "dir/up"));
    await symlink(".", path.join(root, "self"));

    const names = (await planArchive(root)).entries.map((entry) => `${entry.type} ${entry.name}`);

    expect(names).toEqual([
      "directory dir",
      "directory dir-alias",
      "file dir-alias/file.txt",
      "file dir/file.txt",
      "file real.txt",
    ]);
  });

  it("dangling symlinks and FIFOs are skipped", async () => {
    await symlink("does-not-exist", path.join(root, "dangling"));
    if (hasMkfifo) execFileSync("mkfifo", [path.join(root, "pipe")]);

    const names = (await planArchive(root)).entries.map((entry) => entry.name);

    expect(names).toEqual(["dir", "dir/file.txt", "real.txt"]);
    if (hasTar) expect(listTar(await archive(root, "tar"))).toHaveLength(3);
  });

  it("a file swapped for a symlink to an outside file after planning is left out", async () => {
    await writeFile(path.join(tmp, "secret"), "top secret");
    const entries = (await planArchive(root)).entries;
    await rm(path.join(root, "real.txt"));
    await symlink(path.join(tmp, "secret"), path.join(root, "real.txt"));

    expect((await collect(streamArchive(entries, "tar"))).includes("top secret")).toBe(false);
    expect(gunzipSync(await collect(streamArchive(entries, "tar.gz"))).includes("top secret")).toBe(false);
    expect(Object.keys(unzipSync(await collect(streamArchive(entries, "zip"))))).toEqual(["dir/", "dir/file.txt"]);
    const unpacked = path.join(tmp, "unpacked");
    await unpackArchive(streamArchive(entries, "tar"), unpacked, "tar");
    expect([...(await snapshot(unpacked)).keys()]).toEqual(["dir", "dir/file.txt"]);
  });

  it("a directory swapped for a symlink to an outside directory after planning does not leak its files", async () => {
    await mkdir(path.join(tmp, "outside"));
    // Same length as the planned dir/file.txt, so a leak would not be hidden by the size cut.
    await writeFile(path.join(tmp, "outside/file.txt"), "LEAKED\n");
    const entries = (await planArchive(root)).entries;
    await rename(path.join(root, "dir"), path.join(tmp, "moved-away"));
    await symlink(path.join(tmp, "outside"), path.join(root, "dir"));
    expect(await readlink(path.join(root, "dir"))).toBe(path.join(tmp, "outside"));

    const bytes = await collect(streamArchive(entries, "tar"));

    expect(bytes.includes("LEAKED")).toBe(false);
  });
});

describe("round trips", () => {
  it.each(["tar", "tar.gz"] as const)("a folder survives %s and unpackArchive unchanged", async (format) => {
    const root = path.join(tmp, "output");
    await makeSampleFolder(root);
    const unpacked = path.join(tmp, "unpacked");

    const result = await unpackArchive(streamArchive((await planArchive(root)).entries, format), unpacked, format);

    expect(await snapshot(unpacked)).toEqual(await snapshot(root));
    expect(result.files).toBe(7);
    expect(result.bytes).toBe((await stat(path.join(root, "binary.bin"))).size + 42);
  });

  it.skipIf(!hasTar)("GNU tar lists every entry, long paths included", async () => {
    const root = path.join(tmp, "output");
    await makeSampleFolder(root);

    for (const gzip of [false, true]) {
      const listing = listTar(await archive(root, gzip ? "tar.gz" : "tar"), gzip);
      const names = listing.map((line) => line.replace(/^(\S+\s+){5}/, ""));
      expect(names).toContain(`${LONG_DIR}/file.txt`);
      expect(names).toContain(LONG_COMPONENT);
      expect(names).toContain("empty/");
      expect(names).toContain("résumé ünïcode.txt");
      expect(listing.find((line) => line.endsWith(" binary.bin"))).toMatch(/^-rw-r--r-- .* 3145851 /);
    }
  });

  it.skipIf(!hasTar)("GNU tar extracts the archive to the same folder", async () => {
    const root = path.join(tmp, "output");
    await makeSampleFolder(root);
    const extracted = path.join(tmp, "extracted");
    await mkdir(extracted);

    execFileSync("tar", ["-xf", "-", "-C", extracted], { input: await archive(root, "tar") });

    expect(await snapshot(extracted)).toEqual(await snapshot(root));
  });

  it("timestamps that tar or zip cannot express are clamped instead of breaking the archive", async () => {
    const root = path.join(tmp, "output");
    await mkdir(root);
    await writeFile(path.join(root, "epoch.txt"), "1970");
    await writeFile(path.join(root, "ancient.txt"), "1960");
    await writeFile(path.join(root, "future.txt"), "2200");
    // Dates, because Node reads a negative number of seconds as "now".
    const set = (name: string, iso: string) => utimes(path.join(root, name), new Date(iso), new Date(iso));
    await set("epoch.txt", "1970-01-01T00:00:00Z");
    await set("ancient.txt", "1960-01-01T00:00:00Z");
    await set("future.txt", "2200-01-01T00:00:00Z");
    expect((await stat(path.join(root, "ancient.txt"))).mtimeMs).toBeLessThan(0);

    const unzipped = unzipSync(await archive(root, "zip"));
    const unpacked = path.join(tmp, "unpacked");
    await unpackArchive(streamArchive((await planArchive(root)).entries, "tar"), unpacked, "tar");

    expect(Object.keys(unzipped).sort()).toEqual(["ancient.txt", "epoch.txt", "future.txt"]);
    expect((await stat(path.join(unpacked, "epoch.txt"))).mtimeMs).toBe(0);
    expect((await stat(path.join(unpacked, "ancient.txt"))).mtimeMs).toBe(0);
    expect((await stat(path.join(unpacked, "future.txt"))).mtimeMs).toBe(0x7fffffff * 1000);
  });

  it("a zip holds the same files and directories", async () => {
    const root = path.join(tmp, "output");
    await makeSampleFolder(root);

    const unzipped = unzipSync(await archive(root, "zip"));

    const expected = new Map<string, string>();
    for (const [name, content] of await snapshot(root)) {
      expected.set(content === null ? `${name}/` : name, content ?? digest(new Uint8Array(0)));
    }
    const actual = new Map(Object.entries(unzipped).map(([name, content]) => [name, digest(content)]));
    expect(actual).toEqual(expected);
  });

  it.skipIf(!hasUnzip)("unzip accepts the zip and sees unix modes", async () => {
    const root = path.join(tmp, "output");
    await makeSampleFolder(root);
    const zipPath = path.join(tmp, "out.zip");
    await writeFile(zipPath, await archive(root, "zip"));

    expect(spawnSync("unzip", ["-tq", zipPath]).status).toBe(0);
    const listing = execFileSync("unzip", ["-Z", zipPath], { encoding: "utf8" });
    expect(listing).toMatch(/drwxr-xr-x .* empty\//);
    expect(listing).toMatch(/-rw-r--r-- .* a\.txt/);
  });

  it("an empty or missing root folder gives a valid empty archive in every format", async () => {
    await mkdir(path.join(tmp, "empty-root"));
    for (const root of [path.join(tmp, "empty-root"), path.join(tmp, "missing")]) {
      for (const format of ["tar", "tar.gz"] as const) {
        const bytes = await archive(root, format);
        const result = await unpackArchive(new Blob([new Uint8Array(bytes)]).stream(), path.join(tmp, "unpacked", format), format);
        expect(result).toEqual({ files: 0, directories: 0, bytes: 0 });
        if (hasTar) expect(listTar(bytes, format === "tar.gz")).toEqual([]);
      }
      expect(unzipSync(await archive(root, "zip"))).toEqual({});
    }
  });

  it("the same folder gives byte-identical archives", async () => {
    const root = path.join(tmp, "output");
    await makeSampleFolder(root);

    for (const format of ARCHIVE_FORMATS) {
      expect((await archive(root, format)).equals(await archive(root, format))).toBe(true);
    }
  });
});

describe("files changing while being archived", () => {
  it("a file that grew or shrank since planning is archived at its planned size and the archive stays valid", async () => {
    const root = path.join(tmp, "output");
    await mkdir(root);
    const original = randomBytes(2 * 1024 * 1024 + 700);
    await writeFile(path.join(root, "growing.log"), original);
    await writeFile(path.join(root, "shrinking.log"), original);
    const entries = (await planArchive(root)).entries;
    await appendFile(path.join(root, "growing.log"), "more output");
    await truncate(path.join(root, "shrinking.log"), 1000);

    const unpacked = path.join(tmp, "unpacked");
    await unpackArchive(streamArchive(entries, "tar"), unpacked, "tar");
    const unzipped = unzipSync(await collect(streamArchive(entries, "zip")));

    const padded = Buffer.concat([original.subarray(0, 1000), Buffer.alloc(original.length - 1000)]);
    expect((await readFile(path.join(unpacked, "growing.log"))).equals(original)).toBe(true);
    expect((await readFile(path.join(unpacked, "shrinking.log"))).equals(padded)).toBe(true);
    expect(Buffer.from(unzipped["growing.log"]!).equals(original)).toBe(true);
    expect(Buffer.from(unzipped["shrinking.log"]!).equals(padded)).toBe(true);
  });

  it("a file deleted since planning is left out", async () => {
    const root = path.join(tmp, "output");
    await mkdir(root);
    await writeFile(path.join(root, "kept.txt"), "kept");
    await writeFile(path.join(root, "temp.txt"), "temporary");
    const entries = (await planArchive(root)).entries;
    await rm(path.join(root, "temp.txt"));

    expect(Object.keys(unzipSync(await collect(streamArchive(entries, "zip"))))).toEqual(["kept.txt"]);
    if (hasTar) expect(listTar(await collect(streamArchive(entries, "tar")))).toHaveLength(1);
  });
});

describe("errors and limits", () => {
  const fileEntry = (overrides: Partial<ArchiveEntry>): ArchiveEntry => ({
    name: "file",
    type: "file",
    path: "/nonexistent",
    size: 4096,
    mode: 0o644,
    mtime: new Date(),
    ...overrides,
  });

  it.each(ARCHIVE_FORMATS)("a read error fails the %s stream instead of hanging", async (format) => {
    // /proc/self/mem is a regular file whose read at offset 0 fails with EIO.
    const entries = [fileEntry({ name: "ok", path: "/proc/self/stat", size: 10 }), fileEntry({ path: "/proc/self/mem" })];

    await expect(collect(streamArchive(entries, format))).rejects.toThrow(/EIO|i\/o error/i);
  });

  it.each(ARCHIVE_FORMATS)("a file that cannot be opened fails the %s stream", async (format) => {
    const entries = [fileEntry({ path: path.join(tmp, "n".repeat(300)) })];

    await expect(collect(streamArchive(entries, format))).rejects.toThrow(/ENAMETOOLONG/);
  });

  it("zip refuses more than 65,535 entries before producing any byte, pointing to format=tar", () => {
    const entries = Array.from({ length: 65_536 }, (_, index): ArchiveEntry => ({
      name: `d${index}`,
      type: "directory",
      path: tmp,
      size: 0,
      mode: 0o755,
      mtime: new Date(),
    }));

    expect(() => streamArchive(entries, "zip")).toThrow(/65,535.*format=tar/);
    void streamArchive(entries, "tar").cancel();
  });

  it("zip refuses a file of 4 GiB or an archive passing 4 GiB before producing any byte", () => {
    expect(() => streamArchive([fileEntry({ size: 4 * 1024 ** 3 })], "zip")).toThrow(/4 GiB.*format=tar/);
    const halves = [fileEntry({ name: "a", size: 2 * 1024 ** 3 }), fileEntry({ name: "b", size: 2 * 1024 ** 3 })];
    expect(() => streamArchive(halves, "zip")).toThrow(/format=tar/);
    expect(() => streamArchive([fileEntry({ size: 4 * 1024 ** 3 - 1024 })], "zip")).not.toThrow();
  });

  it("a tar entry of 8 GiB and more gets a base-256 size instead of an overflowing octal one", async () => {
    const root = path.join(tmp, "output");
    await mkdir(root);
    const size = 8 * 1024 ** 3 + 1;
    await writeFile(path.join(root, "huge.bin"), "");
    await truncate(path.join(root, "huge.bin"), size); // sparse: takes no disk space

    const reader = streamArchive((await planArchive(root)).entries, "tar").getReader();
    let header = Buffer.alloc(0);
    while (header.length < 512) {
      const { value } = await reader.read();
      header = Buffer.concat([header, value!]);
    }
    await reader.cancel();

    const sizeField = header.subarray(124, 136);
    expect(sizeField[0]).toBe(0x80);
    expect(Number(sizeField.subarray(1).reduce((total, byte) => total * 256n + BigInt(byte), 0n))).toBe(size);
  });
});

describe("cancellation", () => {
  it.each(ARCHIVE_FORMATS)("cancelling a %s download midway closes every file it opened", async (format) => {
    const root = path.join(tmp, "output");
    await mkdir(root);
    await writeFile(path.join(root, "big.bin"), randomBytes(64 * 1024 * 1024));
    await writeFile(path.join(root, "later.txt"), "never reached");
    const entries = (await planArchive(root)).entries;
    const baseline = await fdCount();

    const reader = streamArchive(entries, format).getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    expect(await fdCount()).toBeGreaterThan(baseline);
    await reader.cancel();

    expect(await waitFor(async () => (await fdCount()) <= baseline, 1000)).toBe(true);
  });

  it("an archive that is never read opens nothing", async () => {
    const root = path.join(tmp, "output");
    await mkdir(root);
    await writeFile(path.join(root, "file.txt"), "content");
    const entries = (await planArchive(root)).entries;
    const baseline = await fdCount();

    const streams = ARCHIVE_FORMATS.map((format) => streamArchive(entries, format));
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(await fdCount()).toBe(baseline);
    await Promise.all(streams.map((stream) => stream.cancel()));
  });
});

describe("names that are not valid UTF-8", () => {
  /** "café.txt" in latin-1: the 0xE9 byte alone is not UTF-8. */
  const CAFE = Buffer.from("caf\xe9.txt", "latin1");
  const DIR = Buffer.from("d\xff", "latin1");
  const under = (root: string, ...names: Buffer[]) => Buffer.concat([Buffer.from(root), ...names.flatMap((name) => [Buffer.from("/"), name])]);

  async function makeLatin1Folder(root: string) {
    await mkdir(root);
    await writeFile(under(root, CAFE), "latin-1 name\n");
    await mkdir(under(root, DIR));
    await writeFile(under(root, DIR, Buffer.from("inner.txt")), "inside\n");
  }

  it("are planned with their exact bytes", async () => {
    const root = path.join(tmp, "output");
    await makeLatin1Folder(root);
    const plan = await planArchive(root);
    expect(plan.omittedCount).toBe(0);
    expect(plan.entries.map((entry) => entry.rawName?.toString("hex"))).toEqual(
      expect.arrayContaining([CAFE.toString("hex"), DIR.toString("hex"), Buffer.concat([DIR, Buffer.from("/inner.txt")]).toString("hex")]),
    );
  });

  it.each(["tar", "tar.gz"] as const)("a %s archive holds them byte-exact and unpacks them byte-exact", async (format) => {
    const root = path.join(tmp, "output");
    await makeLatin1Folder(root);
    const bytes = await archive(root, format);
    if (hasTar) {
      const listed = execFileSync("tar", ["--quoting-style=literal", format === "tar" ? "-tf" : "-tzf", "-"], { input: bytes, env: { ...process.env, LC_ALL: "C" } });
      expect(listed.toString("latin1").split("\n")).toEqual(expect.arrayContaining(["caf\xe9.txt", "d\xff/", "d\xff/inner.txt"]));
    }
    const unpacked = path.join(tmp, "unpacked");
    await unpackArchive(streamArchive((await planArchive(root)).entries, format), unpacked, format);
    expect((await readdir(unpacked, { encoding: "buffer" })).map((name) => name.toString("latin1")).sort()).toEqual(["caf\xe9.txt", "d\xff"]);
    expect(await readFile(under(unpacked, CAFE), "utf8")).toBe("latin-1 name\n");
    expect(await readFile(under(unpacked, DIR, Buffer.from("inner.txt")), "utf8")).toBe("inside\n");
  });

  it("a zip stores their bytes without the UTF-8 flag", async () => {
    const root = path.join(tmp, "output");
    await makeLatin1Folder(root);
    const zipped = await archive(root, "zip");
    // fflate reads a name without the UTF-8 flag as latin-1: one character per byte.
    expect(Object.keys(unzipSync(zipped)).sort()).toEqual(["caf\xe9.txt", "d\xff/", "d\xff/inner.txt"]);
    expect(Buffer.from(unzipSync(zipped)["caf\xe9.txt"]!).toString()).toBe("latin-1 name\n");
    if (hasUnzip) {
      const file = path.join(tmp, "out.zip");
      await writeFile(file, zipped);
      expect(spawnSync("unzip", ["-tq", file]).status).toBe(0);
    }
  });
});

describe("hard links", () => {
  it("a file hard-linked from outside the folder is left out and counted; links all inside are kept", async () => {
    const root = path.join(tmp, "output");
    await mkdir(path.join(root, "sub"), { recursive: true });
    await writeFile(path.join(tmp, "cubqueue.db"), "the database\n");
    await link(path.join(tmp, "cubqueue.db"), path.join(root, "db-link"));
    await writeFile(path.join(root, "a.txt"), "twice inside\n");
    await link(path.join(root, "a.txt"), path.join(root, "sub", "b.txt"));
    // A symlink to the inside pair is no extra hard link: the pair stays complete.
    await symlink("a.txt", path.join(root, "via-symlink"));

    const plan = await planArchive(root);
    expect(plan.entries.map((entry) => entry.name)).toEqual(["a.txt", "sub", "sub/b.txt", "via-symlink"]);
    expect(plan.omitted).toEqual({ hard_link_outside: 1 });
    for (const format of ARCHIVE_FORMATS) expect((await archive(root, format)).includes("the database")).toBe(false);
  });

  it("a hard link seen twice through a symlinked directory still counts once", async () => {
    const root = path.join(tmp, "output");
    await mkdir(path.join(root, "dir"), { recursive: true });
    await writeFile(path.join(tmp, "secret"), "outside\n");
    await link(path.join(tmp, "secret"), path.join(root, "dir", "leak"));
    await symlink("dir", path.join(root, "dir-again"));
    const plan = await planArchive(root);
    expect(plan.entries.map((entry) => entry.name)).toEqual(["dir", "dir-again"]);
    expect(plan.omitted).toEqual({ hard_link_outside: 2 });
  });
});

/** Nests 2 x depth bytes of d/d/… under root, deeper than PATH_MAX (4096) for 2,100: only relative steps can build it. */
function makeDeepTree(root: string, depth: number): void {
  const script = "import os, sys\nos.chdir(sys.argv[1])\nfor _ in range(int(sys.argv[2])):\n    os.mkdir('d'); os.chdir('d')\nopen('f', 'w').write('deep\\n')\n";
  execFileSync("python3", ["-c", script, root, String(depth)]);
}

describe("what the plan leaves out, and says so", () => {
  it("counts links out, special files, and paths too long to open", async () => {
    const root = path.join(tmp, "output");
    await mkdir(root);
    await writeFile(path.join(root, "ok.txt"), "ok\n");
    await symlink("/etc/passwd", path.join(root, "passwd"));
    if (hasMkfifo) execFileSync("mkfifo", [path.join(root, "fifo")]);
    try {
      makeDeepTree(root, 2100);
      const plan = await planArchive(root);
      expect(plan.entries.find((entry) => entry.name === "ok.txt")).toBeDefined();
      expect(plan.omitted.symlink).toBe(1);
      if (hasMkfifo) expect(plan.omitted.special_file).toBe(1);
      expect(plan.omitted.too_deep).toBeGreaterThanOrEqual(1);
      expect(plan.omittedCount).toBe(Object.values(plan.omitted).reduce((a, b) => a + b, 0));
      for (const format of ARCHIVE_FORMATS) {
        const bytes = await collect(streamArchive(plan.entries, format));
        expect(bytes.length).toBeGreaterThan(0);
      }
    } finally {
      // Node's recursive rm builds absolute paths, which are too long here; rm -rf walks relatively.
      execFileSync("rm", ["-rf", path.join(root, "d")]);
    }
  });
});
