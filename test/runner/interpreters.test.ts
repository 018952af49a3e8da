import { chmod, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { resolveInterpreters, settleRealPython } from "../../src/runner/interpreters.ts";
import { makeTempDir } from "../support/temp-dir.ts";

/** A folder with a `python3` that answers like a version manager's shim: slowly, with the real interpreter's path. */
async function shimDir(answer: string): Promise<string> {
  const dir = await makeTempDir();
  onTestFinished(dir.remove);
  await writeFile(join(dir.path, "python3"), `#!/bin/sh\nsleep 0.3\n${answer}\n`);
  await chmod(join(dir.path, "python3"), 0o755);
  return dir.path;
}

describe("interpreters", () => {
  it("are found on PATH at once; a python3 shim is replaced by the interpreter behind it in the background", async () => {
    const dir = await shimDir("echo /opt/python/bin/python3.12");
    const started = Date.now();
    const resolved = resolveInterpreters({}, dir);
    expect(Date.now() - started).toBeLessThan(250);
    expect(resolved.get("python3")).toBe(join(dir, "python3"));
    await settleRealPython(resolved, {});
    expect(resolved.get("python3")).toBe("/opt/python/bin/python3.12");
  });

  it("keep an override, and the shim itself when it does not answer with a path", async () => {
    const overridden = resolveInterpreters({ python3: "/usr/bin/python3" }, await shimDir("echo /elsewhere/python3"));
    await settleRealPython(overridden, { python3: "/usr/bin/python3" });
    expect(overridden.get("python3")).toBe("/usr/bin/python3");

    const dir = await shimDir("exit 1");
    const failing = resolveInterpreters({}, dir);
    await settleRealPython(failing, {});
    expect(failing.get("python3")).toBe(join(dir, "python3"));
  });
});
