import { chmod, mkdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { registerScript, submitOk, waitFinished } from "../support/api.ts";
import { runCubqueue } from "../support/cli.ts";
import { daemonBaseDir, startDaemon } from "../support/daemon-server.ts";
import { startTestServer } from "../support/test-server.ts";

/** The permission bits of a path (not following a symlink). */
const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

const WRITES_RESULTS = "#!/bin/sh\necho working\necho result > output/result.txt\necho step > metadata/step.txt\n";

describe("what CubQueue creates is its user's alone", () => {
  it("task folders, argument files, logs, exit records and the database are 0700/0600; uploads are read-only (0400)", async () => {
    const server = await startTestServer();
    await registerScript(server, "results", "results.sh", WRITES_RESULTS);
    const { task_id } = await submitOk(server, "results", { args: { input: "<file1>" }, files: [{ name: "in.txt", content: "data" }] });
    expect(await waitFinished(server, task_id)).toMatchObject({ status: "succeeded" });

    const task = join(server.baseDir, "tasks", task_id);
    const view = await (await server.request(`/api/task/${task_id}`)).json();
    const upload = join(task, "files", view.files[0].stored_name);
    const modes = {
      scripts: await modeOf(join(server.baseDir, "scripts")),
      tasks: await modeOf(join(server.baseDir, "tasks")),
      task: await modeOf(task),
      files: await modeOf(join(task, "files")),
      metadata: await modeOf(join(task, "metadata")),
      output: await modeOf(join(task, "output")),
      upload: await modeOf(upload),
      arg_file: await modeOf(join(task, "arg_file.json")),
      log: await modeOf(join(task, "log.txt")),
      exit: await modeOf(join(task, "cubqueue.exit")),
      database: await modeOf(join(server.baseDir, "cubqueue.db")),
    };
    expect(modes).toEqual({
      scripts: 0o700,
      tasks: 0o700,
      task: 0o700,
      files: 0o700,
      metadata: 0o700,
      output: 0o700,
      // Stored once for every task that uses it, so no task may change it.
      upload: 0o400,
      arg_file: 0o600,
      log: 0o600,
      exit: 0o600,
      database: 0o600,
    });
    // The script copy is run as a program: its owner may execute it, nobody else may read it.
    expect(await modeOf(join(task, "results.sh"))).toBe(0o700);
  });

  it("a base dir left readable by an older CubQueue has its own folders and database made private at start", async () => {
    const baseDir = await daemonBaseDir();
    // As an older CubQueue left it: everything readable by everyone.
    await mkdir(join(baseDir, "scripts"), { mode: 0o755 });
    await mkdir(join(baseDir, "tasks"), { mode: 0o755 });
    await writeFile(join(baseDir, "cubqueue.db"), "");
    await chmod(join(baseDir, "cubqueue.db"), 0o644);
    await chmod(baseDir, 0o755);
    await startDaemon(baseDir);
    expect({
      scripts: await modeOf(join(baseDir, "scripts")),
      tasks: await modeOf(join(baseDir, "tasks")),
      database: await modeOf(join(baseDir, "cubqueue.db")),
      log: await modeOf(join(baseDir, "cubqueue.log")),
    }).toEqual({ scripts: 0o700, tasks: 0o700, database: 0o600, log: 0o600 });
    // The base dir itself is the operator's: it keeps the mode it was given.
    expect(await modeOf(baseDir)).toBe(0o755);
  });

  it("a base dir the server creates is private", async () => {
    const parent = await daemonBaseDir();
    const baseDir = join(parent, "new-base");
    onTestFinished(async () => void (await runCubqueue(["stop", "--cancel-running", "--base-dir", baseDir])));
    await startDaemon(baseDir);
    expect(await modeOf(baseDir)).toBe(0o700);
  });
});
