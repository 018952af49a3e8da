import { lstat, mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { fileState } from "../../src/store/file-state.ts";
import { createFsSteps, runCoalesced, runHere, type FsStep, type FsSteps } from "../../src/store/fs-steps.ts";
import { makeTempDir } from "../support/temp-dir.ts";

async function tempDir(): Promise<string> {
  const dir = await makeTempDir();
  onTestFinished(() => dir.remove());
  return dir.path;
}

function folderSteps(dir: string): FsStep[] {
  return [
    { op: "mkdir", path: join(dir, "task"), mode: 0o700 },
    { op: "mkdir", path: join(dir, "task", "files"), mode: 0o750 },
    { op: "write", path: join(dir, "task", "args.json"), data: Buffer.from('{"a": 1}'), mode: 0o600 },
    { op: "copy", from: join(dir, "script.sh"), to: join(dir, "task", "script.sh") },
    { op: "stat", path: join(dir, "script.sh") },
    { op: "rename", from: join(dir, "task"), to: join(dir, "moved") },
    { op: "rmdir", path: join(dir, "moved", "files") },
  ];
}

/** The worker, and this thread alone (a worker that cannot start): the same steps give the same results. */
const carriers: Array<[string, () => FsSteps]> = [
  ["on the worker", () => createFsSteps()],
  ["on this thread, when the worker cannot start", () => createFsSteps({ workerUrl: new URL("file:///nonexistent/fs-steps.mjs") })],
];

describe.each(carriers)("file-system steps %s", (_, make) => {
  function steps(): FsSteps {
    const made = make();
    onTestFinished(() => made.close());
    return made;
  }

  it("carry a list out in order and answer a stat with the file's state as fileState gives it", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "script.sh"), "#!/bin/sh\ntrue\n", { mode: 0o755 });
    const results = await steps().run(folderSteps(dir));
    expect(results).toEqual([undefined, undefined, undefined, undefined, await fileState(join(dir, "script.sh")), undefined, undefined]);
    expect(await readdir(join(dir, "moved"))).toEqual(["args.json", "script.sh"]);
    expect(await readFile(join(dir, "moved", "args.json"), "utf8")).toBe('{"a": 1}');
    expect((await lstat(join(dir, "moved", "args.json"))).mode & 0o777).toBe(0o600);
    expect((await lstat(join(dir, "moved", "script.sh"))).mode & 0o777).toBe(0o755);
  });

  it("stop at the first failure, with the call's error and how many steps were carried out", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "taken"), "kept");
    const failure = await steps()
      .run([
        { op: "mkdir", path: join(dir, "a"), mode: 0o700 },
        { op: "write", path: join(dir, "taken"), data: Buffer.from("over"), mode: 0o600 },
        { op: "mkdir", path: join(dir, "b"), mode: 0o700 },
      ])
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect(failure).toMatchObject({ code: "EEXIST", syscall: "open", path: join(dir, "taken"), completed: 1 });
    // Nothing is written over, and nothing after the failure is done.
    expect(await readFile(join(dir, "taken"), "utf8")).toBe("kept");
    expect((await readdir(dir)).sort()).toEqual(["a", "taken"]);
  });

  it("never copy over a file, and pass over a best-effort step that fails", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "from"), "new");
    await writeFile(join(dir, "to"), "old");
    await expect(steps().run([{ op: "copy", from: join(dir, "from"), to: join(dir, "to") }])).rejects.toMatchObject({ code: "EEXIST", completed: 0 });
    expect(await readFile(join(dir, "to"), "utf8")).toBe("old");
    await mkdir(join(dir, "full"));
    await writeFile(join(dir, "full", "x"), "");
    const results = await steps().run([
      { op: "rmdir", path: join(dir, "full"), bestEffort: true },
      { op: "stat", path: join(dir, "missing"), bestEffort: true },
      { op: "mkdir", path: join(dir, "after"), mode: 0o700 },
    ]);
    expect(results).toEqual([undefined, undefined, undefined]);
    expect((await lstat(join(dir, "after"))).isDirectory()).toBe(true);
  });
});

describe("file-system steps", () => {
  it("are carried out by the worker while it works, and on this thread only when it cannot start", async () => {
    const dir = await tempDir();
    const working = createFsSteps();
    onTestFinished(() => working.close());
    await working.run([{ op: "mkdir", path: join(dir, "one"), mode: 0o700 }]);
    expect(working.ranHere).toBe(0);
    const broken = createFsSteps({ workerUrl: new URL("file:///nonexistent/fs-steps.mjs") });
    onTestFinished(() => broken.close());
    await broken.run([{ op: "mkdir", path: join(dir, "two"), mode: 0o700 }]);
    await broken.run([{ op: "mkdir", path: join(dir, "three"), mode: 0o700 }]);
    expect(broken.ranHere).toBe(2);
    expect((await readdir(dir)).sort()).toEqual(["one", "three", "two"]);
  });

  it("as runHere carries them out, a failure names the steps done before it", async () => {
    const dir = await tempDir();
    await expect(runHere([{ op: "mkdir", path: join(dir, "x"), mode: 0o700 }, { op: "rmdir", path: join(dir, "nothing") }])).rejects.toMatchObject({ code: "ENOENT", completed: 1 });
  });
});

describe("runCoalesced", () => {
  it("carries out the best-effort lists given in one turn as one list, each answered with its own results", async () => {
    const dir = await tempDir();
    await Promise.all(["a", "b", "c"].map((name) => mkdir(join(dir, name))));
    const lists: FsStep[][] = [];
    const carrier = { run: (steps: readonly FsStep[]) => (lists.push([...steps]), runHere(steps)) };
    const rmdir = (name: string): FsStep => ({ op: "rmdir", path: join(dir, name), bestEffort: true });

    const results = await Promise.all([runCoalesced(carrier, [rmdir("a"), rmdir("missing")]), runCoalesced(carrier, [rmdir("b")])]);
    expect(results).toEqual([[undefined, undefined], [undefined]]);
    expect(lists).toHaveLength(1);
    expect(await readdir(dir)).toEqual(["c"]);

    await runCoalesced(carrier, [rmdir("c")]);
    expect(lists).toHaveLength(2);
    expect(await readdir(dir)).toEqual([]);
  });

  it("refuses a step that is not best effort: its failure would end the other lists", async () => {
    const carrier = { run: runHere };
    await expect(runCoalesced(carrier, [{ op: "rmdir", path: "/nonexistent/x" }])).rejects.toThrow("Only best-effort steps");
  });
});
