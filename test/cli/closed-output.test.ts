import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { access, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { registerScript, submitOk, waitFinished, waitUntil, type Requester } from "../support/api.ts";
import { cleanEnv } from "../support/cli.ts";
import { daemonBaseDir } from "../support/daemon-server.ts";
import { cubqueueCommand } from "../support/runtime.ts";

const exists = (path: string) => access(path).then(() => true, () => false);

describe("output nobody reads", () => {
  it("a foreground server whose stdout and stderr pipes are closed keeps serving, and stops cleanly", { timeout: 60_000 }, async () => {
    const baseDir = await daemonBaseDir();
    // A task folder the server has no record of: it warns about it on stderr at start, into the closed pipe.
    await mkdir(join(baseDir, "tasks", randomUUID()), { recursive: true });
    const { command, args } = cubqueueCommand(["start", "--base-dir", baseDir, "--port", "0"]);
    const child = spawn(command, args, { env: cleanEnv(), stdio: ["ignore", "pipe", "pipe"] });
    // Nobody reads: every line the server writes (the listening line, the warning) meets a closed pipe.
    child.stdout.destroy();
    child.stderr.destroy();
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child.on("exit", (code, signal) => resolve({ code, signal })),
    );
    let exit: { code: number | null; signal: string | null } | undefined;
    void exited.then((result) => (exit = result));

    const urlFile = join(baseDir, "cubqueue.url");
    await waitUntil(async () => exit !== undefined || (await exists(urlFile)), 20_000);
    expect(exit).toBeUndefined();
    const url = (await readFile(urlFile, "utf8")).trim();
    const server: Requester = { request: (path, init) => fetch(`${url}${path}`, init) };
    // Past its first writes, it still serves and runs tasks.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await registerScript(server, "hello", "hello.sh", "#!/bin/sh\necho hello\n");
    const { task_id } = await submitOk(server, "hello", { args: {} });
    expect(await waitFinished(server, task_id)).toMatchObject({ status: "succeeded", exit_code: 0 });
    expect(exit).toBeUndefined();

    // Its stop writes two more lines nobody reads, and still ends as a clean stop.
    child.kill("SIGTERM");
    const ended = await exited;
    // A Deno test process reports any child it signalled as ended by that signal, even one that handled it and exited 0.
    if (!("Deno" in globalThis)) expect(ended).toEqual({ code: 0, signal: null });
    // The stop ran to its end: the base dir is released.
    expect(await exists(join(baseDir, "cubqueue.pid"))).toBe(false);
    expect(await exists(urlFile)).toBe(false);
  });
});
