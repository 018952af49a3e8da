import { readFileSync } from "node:fs";
import { readlink } from "node:fs/promises";
import { basename } from "node:path";
import { describe, expect, it } from "vitest";
import { CubQueueClient } from "../../src/client/index.ts";
import { denoPermissions, SERVER_MODE } from "../support/runtime.ts";
import { startTestServer } from "../support/test-server.ts";

describe("the runtime under test", () => {
  it(`serves from ${SERVER_MODE === "in-process" ? "this test process" : `a ${SERVER_MODE} process`}`, async () => {
    const server = await startTestServer();
    if (SERVER_MODE === "in-process") expect(server.pid).toBe(process.pid);
    else expect(basename(await readlink(`/proc/${server.pid}/exe`))).toBe(SERVER_MODE);
    expect((await new CubQueueClient(server.url).listScripts())).toEqual([]);
  });

  it("runs the tests, and so the SDK, on Deno when the servers are Deno's", () => {
    // npm run test:deno runs vitest itself under Deno, so every SDK test exercises the client on Deno.
    expect("Deno" in globalThis).toBe(SERVER_MODE === "deno");
  });

  it("grants every deno.json task the same permissions", () => {
    const tasks = JSON.parse(readFileSync(new URL("../../deno.json", import.meta.url), "utf8")).tasks as Record<string, { command: string }>;
    for (const [name, task] of Object.entries(tasks)) {
      expect({ name, permissions: task.command.split(/\s+/).filter((word) => word.startsWith("--allow-")) }).toEqual({
        name,
        permissions: denoPermissions(),
      });
    }
    expect(denoPermissions()).toEqual(["--allow-net", "--allow-read", "--allow-write", "--allow-env", "--allow-sys", "--allow-ffi", "--allow-run"]);
  });
});
