import { Buffer } from "node:buffer";
import { mkdir, readFile, readdir, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { deflateRawSync } from "node:zlib";
import { describe, expect, it, onTestFinished } from "vitest";
import { unpackZip } from "../../src/client/unzip.ts";
import { makeTempDir } from "../support/temp-dir.ts";

interface Member {
  name: string | Buffer;
  content?: string;
  /** Unix type and mode, as a zip made on Unix records them. */
  unixMode?: number;
  deflate?: boolean;
  utf8?: boolean;
}

/** A zip as the spec lays it out (local headers and data, central directory, end record); CRCs are not checked by the reader. */
function zip(members: Member[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const member of members) {
    const name = Buffer.isBuffer(member.name) ? member.name : Buffer.from(member.name, "utf8");
    const raw = Buffer.from(member.content ?? "", "utf8");
    const data = member.deflate ? deflateRawSync(raw) : raw;
    const flags = member.utf8 === false ? 0 : 0x800;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(member.deflate ? 8 : 0, 8);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, data);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(member.deflate ? 8 : 0, 10);
    central.writeUInt16LE(0x21, 14); // 1980-01-01
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(raw.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((member.unixMode ?? 0o100644) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

async function unzipOf(members: Member[]) {
  const dir = await makeTempDir();
  onTestFinished(dir.remove);
  const file = join(dir.path, "a.zip");
  await writeFile(file, zip(members));
  const out = join(dir.path, "out");
  return { dir: dir.path, out, unpack: () => unpackZip(file, out) };
}

describe("unpackZip", () => {
  it("writes stored and deflated files and folders, with their modes, and keeps raw names as bytes", async () => {
    const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2e, 0x74, 0x78, 0x74]); // "café.txt" in latin-1
    const { out, unpack } = await unzipOf([
      { name: "sub/", unixMode: 0o040755 },
      { name: "sub/stored.txt", content: "stored\n" },
      { name: "sub/deflated.txt", content: "deflated ".repeat(100), deflate: true },
      { name: "run.sh", content: "#!/bin/sh\n", unixMode: 0o100755 },
      { name: latin1, content: "bytes\n", utf8: false },
    ]);
    expect(await unpack()).toEqual({ files: 4, directories: 1, bytes: 7 + 900 + 10 + 6 });
    expect(await readFile(join(out, "sub", "deflated.txt"), "utf8")).toBe("deflated ".repeat(100));
    expect((await stat(join(out, "run.sh"))).mode & 0o777).toBe(0o755);
    expect((await readdir(Buffer.from(out), { encoding: "buffer" })).map((name) => name.toString("hex"))).toContain(latin1.toString("hex"));
  });

  it.each([["../evil.txt"], ["/etc/evil.txt"], ["sub/../../evil.txt"]])("refuses an entry named %s and writes nothing outside", async (name) => {
    const { dir, unpack } = await unzipOf([{ name, content: "x" }]);
    await expect(unpack()).rejects.toThrow(/Refusing to extract archive entry/);
    expect((await readdir(dir)).sort()).toEqual(["a.zip", "out"]);
  });

  it("skips symlinks and writes nothing through a link already in the folder", async () => {
    const { out, dir, unpack } = await unzipOf([
      { name: "link", content: "/etc/passwd", unixMode: 0o120777 },
      { name: "kept.txt", content: "kept" },
    ]);
    expect(await unpack()).toMatchObject({ files: 1 });
    expect(await readdir(out)).toEqual(["kept.txt"]);

    const through = await unzipOf([{ name: "escape/file.txt", content: "x" }]);
    await mkdir(through.out);
    await symlink(dir, join(through.out, "escape"));
    await expect(through.unpack()).rejects.toThrow(/exists and is not a directory/);
  });

  it("refuses a zip cut short", async () => {
    const bytes = zip([{ name: "a.txt", content: "a" }]);
    const dir = await makeTempDir();
    onTestFinished(dir.remove);
    await writeFile(join(dir.path, "cut.zip"), bytes.subarray(0, bytes.length - 10));
    await expect(unpackZip(join(dir.path, "cut.zip"), join(dir.path, "out"))).rejects.toThrow(/damaged or unsupported.*Download it as tar/);
  });
});
