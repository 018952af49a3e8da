import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, readFile, utimes, writeFile } from "node:fs/promises";
import { describe, expect, it, onTestFinished } from "vitest";
import { AppError } from "../../src/errors.ts";
import { claimBaseDir, type BaseDirClaim } from "../../src/server/instance.ts";
import { createLayout } from "../../src/store/layout.ts";
import { makeTempDir } from "../support/temp-dir.ts";

/** Live processes to stand for servers: a claim records a pid that must be running to count. */
function sleepers(count: number): ChildProcess[] {
  const children = Array.from({ length: count }, () => spawn("sleep", ["60"], { stdio: "ignore" }));
  onTestFinished(() => children.forEach((child) => child.kill("SIGKILL")));
  return children;
}

describe("claiming a base dir", () => {
  it("servers racing over a stale pid file: exactly one wins, the others are told why in one line", async () => {
    const dir = await makeTempDir();
    onTestFinished(dir.remove);
    const layout = createLayout(dir.path);
    for (let round = 0; round < 50; round++) {
      // A pid above the kernel's limit: the recorded server is certainly gone.
      await writeFile(layout.pidFile, "4194305 123\n");
      const contenders = sleepers(4);
      const results = await Promise.allSettled(contenders.map((child) => claimBaseDir(layout, child.pid!)));
      const won = results.filter((result): result is PromiseFulfilledResult<BaseDirClaim> => result.status === "fulfilled");
      expect(won, `round ${round}`).toHaveLength(1);
      const winner = contenders[results.indexOf(won[0]!)]!.pid!;
      expect((await readFile(layout.pidFile, "utf8")).split(" ")[0]).toBe(String(winner));
      for (const result of results) {
        if (result.status === "fulfilled") continue;
        expect(result.reason).toBeInstanceOf(AppError);
        expect((result.reason as AppError).code).toBe("already_running");
        expect((result.reason as AppError).message).toContain(`pid ${winner}`);
      }
      await won[0]!.value.release();
      contenders.forEach((child) => child.kill("SIGKILL"));
    }
  });

  it("an empty or unreadable pid file (a crash while it was written) is taken over", async () => {
    const dir = await makeTempDir();
    onTestFinished(dir.remove);
    const layout = createLayout(dir.path);
    const [contender] = sleepers(1);
    for (const content of ["", "not a pid\n"]) {
      await writeFile(layout.pidFile, content);
      const claim = await claimBaseDir(layout, contender!.pid!);
      expect((await readFile(layout.pidFile, "utf8")).split(" ")[0]).toBe(String(contender!.pid));
      await claim.release();
    }
  });

  it("a takeover lock left by a start that died holding it does not keep the base dir from being claimed", async () => {
    const dir = await makeTempDir();
    onTestFinished(dir.remove);
    const layout = createLayout(dir.path);
    await writeFile(layout.pidFile, "4194305 123\n");
    const lock = `${layout.pidFile}.takeover`;
    await mkdir(lock);
    const longAgo = new Date(Date.now() - 60_000);
    await utimes(lock, longAgo, longAgo);
    const [contender] = sleepers(1);
    const claim = await claimBaseDir(layout, contender!.pid!);
    expect((await readFile(layout.pidFile, "utf8")).split(" ")[0]).toBe(String(contender!.pid));
    await claim.release();
  });
});
