import { chmod, copyFile, readFile, rename, stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { registerScript, submitOk, waitFinished } from "../support/api.ts";
import { startTestServer } from "../support/test-server.ts";

const ownerCanRun = async (path: string) => ((await stat(path)).mode & 0o700) === 0o700;

describe("scripts run as programs", () => {
  it("a registered program with no shebang and no known extension is executed directly (its file and copy are executable)", async () => {
    const server = await startTestServer();
    // A real compiled program: no shebang, no extension, so nothing but executing it can run it.
    await registerScript(server, "native_true", "true", await readFile("/bin/true"));
    expect(await ownerCanRun(join(server.baseDir, "scripts", "native_true"))).toBe(true);
    const { task_id } = await submitOk(server, "native_true", { args: {} });
    expect(await waitFinished(server, task_id)).toMatchObject({ status: "succeeded", exit_code: 0, error: null });
    expect(await ownerCanRun(join(server.baseDir, "tasks", task_id, "native_true"))).toBe(true);
  });

  it("a script with a shebang and an unknown extension is stored executable and runs", async () => {
    const server = await startTestServer();
    await registerScript(server, "tool", "tool.run", "#!/bin/sh\necho ran as $0\n");
    expect(await ownerCanRun(join(server.baseDir, "scripts", "tool.run"))).toBe(true);
    const { task_id } = await submitOk(server, "tool", { args: {} });
    expect(await waitFinished(server, task_id)).toMatchObject({ status: "succeeded", exit_code: 0 });
    expect(await ownerCanRun(join(server.baseDir, "tasks", task_id, "tool.run"))).toBe(true);
    expect(await readFile(join(server.baseDir, "tasks", task_id, "log.txt"), "utf8")).toContain("tool.run");
  });

  it("a script stored by an older CubQueue without the execute bit still runs from its copy", async () => {
    const server = await startTestServer();
    await registerScript(server, "old_native", "true", await readFile("/bin/true"));
    // As an older CubQueue left it: 0644.
    const stored = join(server.baseDir, "scripts", "old_native");
    await copyFile("/bin/true", `${stored}.tmp`);
    await chmod(`${stored}.tmp`, 0o644);
    await rename(`${stored}.tmp`, stored);
    const { task_id } = await submitOk(server, "old_native", { args: {} });
    expect(await waitFinished(server, task_id)).toMatchObject({ status: "succeeded", exit_code: 0 });
  });
});
