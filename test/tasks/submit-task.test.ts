import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { openDatabase } from "../../src/db/open.ts";
import { findTask } from "../../src/db/queries/tasks.ts";
import { tasks } from "../../src/db/schema.ts";
import { DEFAULT_RUN_POLICY } from "../../src/lifecycle/run-policy.ts";
import { createScriptService } from "../../src/scripts/script-service.ts";
import { storeFirstVersion } from "../../src/scripts/store-script.ts";
import { createBlobStore } from "../../src/store/blob-store.ts";
import { createFsSteps, type FsStepError, type FsSteps } from "../../src/store/fs-steps.ts";
import { createLayout } from "../../src/store/layout.ts";
import { submitTasks, type Submission } from "../../src/tasks/submit-task.ts";
import { DEFAULT_TASK_SETTINGS } from "../../src/tasks/task-settings.ts";
import { makeTempDir } from "../support/temp-dir.ts";

/** A base dir with one registered script, and submitTask over it: no HTTP, no multipart. */
async function harness({ steps }: { steps?: (real: FsSteps) => Pick<FsSteps, "run"> } = {}) {
  const dir = await makeTempDir();
  const layout = createLayout(dir.path);
  await Promise.all([layout.tasksDir, layout.scriptsDir, layout.incomingDir].map((each) => mkdir(each, { recursive: true })));
  const { db, close } = await openDatabase({ file: layout.databasePath });
  const fsSteps = createFsSteps();
  onTestFinished(async () => {
    await fsSteps.close();
    close();
    await dir.remove();
  });
  const script = "#!/bin/sh\ncat \"$1\"\n";
  const upload = join(layout.incomingDir, "echo.sh.upload");
  await writeFile(upload, script);
  const sha256 = createHash("sha256").update(script).digest("hex");
  await storeFirstVersion({ db, layout }, { name: "echo", desc: "", filename: "echo.sh", sha256, size: script.length, createdAt: new Date(), version: 1 }, upload);
  // Both carry out their steps through what the test gives: the script's copy is in a submission's first list.
  const used = steps ? steps(fsSteps) : fsSteps;
  const scripts = createScriptService({ db, layout, fsSteps: used });
  const blobs = createBlobStore({ db, layout, home: "test-instance", now: () => new Date() });
  const submit = (submission: Partial<Submission>) =>
    submitTasks(
      { db, layout, blobs, home: "test-instance", slots: () => ({ cpus: 4, gpus: 0 }), now: () => new Date(), fsSteps: used, copyScript: scripts.copyForTask, isRegistered: scripts.isRegistered },
      { scriptName: "echo", argFiles: [{ bytes: Buffer.from("{}"), name: "args.json" }], largeFiles: new Map(), policy: DEFAULT_RUN_POLICY, settings: DEFAULT_TASK_SETTINGS, ...submission },
    );
  /** A large file as a form's reception leaves it: in the incoming folder, under a random name. */
  const received = async (name: string, content: string) => {
    const path = layout.incomingUpload(name);
    await writeFile(path, content);
    return { path, originalName: name, size: content.length, sha256: createHash("sha256").update(content).digest("hex") };
  };
  return { db, layout, submit, received };
}

/** Steps carried out for real, except that the first list of renames stops after `after` of them, failing as a full disk would. */
function renamesFailingAfter(after: number) {
  let failed = false;
  return (real: FsSteps): Pick<FsSteps, "run"> => ({
    async run(steps) {
      if (failed || steps[0]?.op !== "rename") return real.run(steps);
      failed = true;
      await real.run(steps.slice(0, after));
      throw Object.assign(new Error("ENOSPC: no space left on device, rename"), { code: "ENOSPC", completed: after }) satisfies FsStepError;
    },
  });
}

/** Steps carried out for real, except that a list ending in a rename stops before it, failing as a full disk would. */
function lastRenameFailing(real: FsSteps): Pick<FsSteps, "run"> {
  return {
    async run(steps) {
      if (steps.at(-1)?.op !== "rename" || steps.length === 1) return real.run(steps);
      await real.run(steps.slice(0, -1));
      throw Object.assign(new Error("ENOSPC: no space left on device, rename"), { code: "ENOSPC", completed: steps.length - 1 }) satisfies FsStepError;
    },
  };
}

describe("submitTask takes a parsed submission", () => {
  it("builds one task with nothing to link and moves it into place in one list of steps", async () => {
    const lists: string[][] = [];
    const { layout, submit } = await harness({ steps: (real) => ({ run: (steps) => (lists.push(steps.map((step) => step.op)), real.run(steps)) }) });
    const {
      records: [record],
    } = await submit({});

    expect(lists).toEqual([
      ["mkdir", "mkdir", "mkdir", "mkdir", "mkdir", "write", "copy", "stat", "rename"],
      ["rmdir"],
    ]);
    const paths = layout.taskPaths(record!.task.id);
    expect((await readdir(paths.dir)).sort()).toEqual(["arg_file.json", "echo.sh", "files", "metadata", "output"]);
    expect((await stat(join(paths.dir, "echo.sh"))).mode & 0o777).toBe(0o700);
    expect(await readdir(layout.incomingDir)).toEqual([]);
  });

  it("one task whose folder fails to move into place leaves no folder and no task", async () => {
    const { db, layout, submit } = await harness({ steps: lastRenameFailing });
    await expect(submit({})).rejects.toMatchObject({ code: "ENOSPC" });
    expect(await readdir(layout.incomingDir)).toEqual([]);
    expect(await readdir(layout.tasksDir)).toEqual([]);
    expect(await db.$count(tasks)).toBe(0);
  });

  it("makes a task of bytes and files already received, moving the files in and naming them in the argument file", async () => {
    const { db, layout, submit, received } = await harness();
    const file = await received("0b5e-data.csv", "a,b\n");
    const {
      records: [record],
    } = await submit({ argFiles: [{ bytes: Buffer.from('{"input": "<file1>"}'), name: "args.json" }], largeFiles: new Map([[1, file]]), policy: { ...DEFAULT_RUN_POLICY, maxRetries: 2 } });

    if (!record) throw new Error("no task made");
    expect(record.task).toMatchObject({ scriptName: "echo", scriptVersion: 1, status: "queued", maxRetries: 2 });
    const paths = layout.taskPaths(record.task.id);
    const stored = join(paths.filesDir, "0b5e-data.csv");
    expect(await readFile(stored, "utf8")).toBe("a,b\n");
    expect(JSON.parse(await readFile(paths.argFile, "utf8"))).toEqual({ input: stored });
    expect(await readdir(layout.incomingDir)).toEqual([]);
    expect((await findTask(db, record.task.id))?.files).toEqual([expect.objectContaining({ placeholder: "1", originalName: "0b5e-data.csv", size: 4 })]);
  });

  it("an array makes a task of each argument file, its large files stored once (read-only hard links) and the array recorded", async () => {
    const { db, layout, submit, received } = await harness();
    const file = await received("77aa-ref.fa", "ACGT\n");
    const argFiles = ["a", "b", "c"].map((name) => ({ bytes: Buffer.from(`{"sample": "${name}", "ref": "<file1>"}`), name: `${name}.json` }));
    const made = await submit({ argFiles, largeFiles: new Map([[1, file]]), array: { maxRunning: 2 } });

    expect(made.arrayId).toMatch(/^[0-9a-f-]{36}$/);
    expect(made.records.map((record) => record.task.arrayId)).toEqual([made.arrayId, made.arrayId, made.arrayId]);
    const stored = await Promise.all(made.records.map((record) => stat(join(layout.taskPaths(record.task.id).filesDir, "77aa-ref.fa"))));
    expect(new Set(stored.map((each) => each.ino)).size).toBe(1);
    // Three tasks and the store.
    expect(stored[0]!.nlink).toBe(4);
    expect((await stat(layout.blobFile(file.sha256))).ino).toBe(stored[0]!.ino);
    expect(stored[0]!.mode & 0o777).toBe(0o400);
    expect(await readdir(layout.incomingDir)).toEqual([]);
    for (const [index, record] of made.records.entries()) {
      const args = JSON.parse(await readFile(layout.taskPaths(record.task.id).argFile, "utf8"));
      expect(args).toEqual({ sample: ["a", "b", "c"][index], ref: join(layout.taskPaths(record.task.id).filesDir, "77aa-ref.fa") });
    }
    expect((await findTask(db, made.records[2]!.task.id))?.files).toHaveLength(1);
  });

  it("an array with one bad argument file is refused whole: no task, no folder, no upload left", async () => {
    const { layout, submit, received } = await harness();
    const file = await received("88bb-ref.fa", "ACGT\n");
    const argFiles = [{ bytes: Buffer.from("{}"), name: "good.json" }, { bytes: Buffer.from('{"x": "<file2>"}'), name: "bad.json" }];
    await expect(submit({ argFiles, largeFiles: new Map([[1, file]]), array: { maxRunning: null } })).rejects.toMatchObject({ code: "unknown_placeholder" });
    expect(await readdir(layout.incomingDir)).toEqual([]);
    expect(await readdir(layout.tasksDir)).toEqual([]);
  });

  it("an array whose folders fail to move halfway, past the first list of them, leaves no folder and no task", async () => {
    const { db, layout, submit } = await harness({ steps: renamesFailingAfter(40) });
    const argFiles = Array.from({ length: 150 }, (_, index) => ({ bytes: Buffer.from(`{"i": ${index}}`), name: `${index}.json` }));
    await expect(submit({ argFiles, array: { maxRunning: null } })).rejects.toMatchObject({ code: "ENOSPC" });
    expect(await readdir(layout.incomingDir)).toEqual([]);
    expect(await readdir(layout.tasksDir)).toEqual([]);
    expect(await db.$count(tasks)).toBe(0);
  });

  it("a refused submission removes the files it was given and leaves no folder", async () => {
    const { layout, submit, received } = await harness();
    const file = await received("1c2d-data.csv", "x");
    await expect(submit({ argFiles: [{ bytes: Buffer.from("{not json"), name: "args.json" }], largeFiles: new Map([[1, file]]) })).rejects.toMatchObject({ code: "invalid_arg_file" });
    const other = await received("3e4f-data.csv", "y");
    await expect(submit({ scriptName: "missing", largeFiles: new Map([[1, other]]) })).rejects.toMatchObject({ code: "script_not_found" });
    expect(await readdir(layout.incomingDir)).toEqual([]);
    expect(await readdir(layout.tasksDir)).toEqual([]);
  });
});
