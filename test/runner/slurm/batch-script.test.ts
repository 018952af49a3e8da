import { spawnSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { batchScript, shellQuote } from "../../../src/runner/slurm/batch-script.ts";
import { makeTempDir } from "../../support/temp-dir.ts";

describe("a job's batch script", () => {
  it("runs the command under the task wrapper with its gate open, and the wrapper records the exit status", async () => {
    const dir = await makeTempDir();
    onTestFinished(dir.remove);
    const exitFile = join(dir.path, "cubqueue.exit");
    await writeFile(exitFile, "");
    const script = batchScript({
      taskId: "5df1a3b3-49ab-4559-8478-d874c3a4d741",
      attempt: 2,
      exitFile,
      command: ["/bin/sh", "-c", 'echo "ran with [$1] [$2]"; exit 3', "sh", "it's $(not) run", "two\nlines"],
    });
    expect(script.startsWith("#!/bin/sh\n")).toBe(true);
    expect(script).toContain("attempt 2");
    // As Slurm runs it: the script file with sh, stdin from nowhere.
    const scriptFile = join(dir.path, "batch.sh");
    await writeFile(scriptFile, script);
    const run = spawnSync("/bin/sh", [scriptFile], { cwd: dir.path, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
    expect(run.status).toBe(3);
    expect(run.stdout).toBe("ran with [it's $(not) run] [two\nlines]\n");
    expect((await readFile(exitFile, "utf8")).trim()).toBe("exit 3");
  });

  it("quotes any word for sh", () => {
    for (const word of ["", "plain", "it's", "'", "$HOME `id` $(id) \\ \" *", "new\nline"]) {
      const echoed = spawnSync("/bin/sh", ["-c", `printf %s ${shellQuote(word)}`], { encoding: "utf8" });
      expect(echoed.stdout).toBe(word);
    }
  });
});
