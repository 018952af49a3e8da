import { randomBytes } from "node:crypto";
import { statfs, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectError, expectNothingLeft, registerFixture, registerScript, submit, submitOk } from "../support/api.ts";
import { smallFs, withSmallFs } from "../support/small-fs.ts";
import { startTestServer } from "../support/test-server.ts";

const KiB = 1024;

/** Leaves about `bytes` free on the file system of `dir`. */
async function fillDiskLeaving(dir: string, bytes: number) {
  const { bavail, bsize } = await statfs(dir);
  await writeFile(join(dir, "filler"), Buffer.alloc(Math.max(0, bavail * bsize - bytes)));
}

describe.skipIf(!smallFs)("a full disk", () => {
  it("an upload that fills the disk answers 507 and leaves no half-written task", () =>
    withSmallFs(async (dir) => {
      const server = await startTestServer({ baseDir: join(dir, "base") });
      await registerFixture(server, "echo_args.py", "echo");
      const response = await submit(server, "echo", { args: { data: "<file1>" }, files: [{ name: "big.bin", content: randomBytes(4096 * KiB) }] });
      const body = await expectError(response, 507, "insufficient_storage");
      expect(body.error.message).toContain("big.bin");
      await expectNothingLeft(server);
      // Once the room is back, the same server takes the next one.
      await submitOk(server, "echo", { args: {} });
      await server.stop();
    }));

  it("a disk that fills while the task folder is written answers 507 and leaves no half-written task", () =>
    withSmallFs(async (dir) => {
      const server = await startTestServer({ baseDir: join(dir, "base") });
      // The task's copy of this script is what no longer fits.
      await registerScript(server, "bulky", "bulky.py", `# ${"padding ".repeat(32 * KiB)}\nprint("hi")\n`);
      await fillDiskLeaving(dir, 96 * KiB);
      await expectError(await submit(server, "bulky", { args: {} }), 507, "insufficient_storage");
      await expectNothingLeft(server);
      await server.stop();
    }));
});
