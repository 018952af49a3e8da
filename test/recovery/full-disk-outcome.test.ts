import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectError, registerScript, submitOk, waitFinished, waitRunning, waitUntil } from "../support/api.ts";
import { smallFs, withSmallFs } from "../support/small-fs.ts";
import { startTestServer } from "../support/test-server.ts";

/** Once let go, writes output until the disk is full, then exits 3: the task's outcome is due when nothing more fits. */
const FILL_DISK = `#!/bin/sh
while [ ! -e go ]; do sleep 0.05; done
cat /dev/zero > "$CUBQUEUE_OUTPUT_DIR/filler" 2>/dev/null
exit 3
`;

/**
 * The reports a server logged that say the disk was full: in-process, the
 * errors; as a process, the first line of each report on its stderr
 * ("task <id>: LibsqlError: SQLITE_FULL: …"; the lines after it are its stack and cause).
 */
function diskFullErrors(loggedErrors: unknown[]): unknown[] {
  return loggedErrors.filter(
    (error) => (typeof error !== "string" || /^(\d{4}-\d\d-\d\dT\S+ )?(task \S+|runner): /.test(error)) && /SQLITE_FULL|ENOSPC|disk is full/i.test(errorText(error)),
  );
}

function errorText(error: unknown): string {
  if (typeof error === "string") return error;
  const parts: string[] = [];
  for (let current = error as { message?: unknown; code?: unknown; cause?: unknown } | undefined, depth = 0; current && depth < 5; depth++) {
    parts.push(String(current.message), String(current.code));
    current = current.cause as typeof current;
  }
  return parts.join(" ");
}

describe.skipIf(!smallFs)("a disk that fills as a task ends", () => {
  it("the outcome is written once there is room again, a cancel meanwhile answers 409 task_finishing, and the queue moves on", { timeout: 60_000 }, () =>
    withSmallFs(async (dir) => {
      const server = await startTestServer({ baseDir: join(dir, "base"), concurrency: 1 });
      await registerScript(server, "fill_disk", "fill_disk.sh", FILL_DISK);
      await registerScript(server, "after", "after.sh", "#!/bin/sh\necho after\n");
      const filler = (await submitOk(server, "fill_disk", { args: {} })).task_id;
      const after = (await submitOk(server, "after", { args: {} })).task_id;
      await waitRunning(server, filler);
      await writeFile(join(server.baseDir, "tasks", filler, "go"), "");

      // The script has ended and the database cannot take its outcome.
      await waitUntil(() => diskFullErrors(server.loggedErrors).length > 0, 20_000);
      const [report] = diskFullErrors(server.loggedErrors);
      if (typeof report === "string") expect(report).toContain(`task ${filler}`);
      expect((await (await server.request(`/api/task/${filler}`)).json()).status).toBe("running");
      await expectError(await server.request(`/api/task/${filler}`, { method: "DELETE" }), 409, "task_finishing");
      // It still holds its place: the task behind it waits.
      expect((await (await server.request(`/api/task/${after}`)).json()).status).toBe("queued");
      // Retries go on (0.5 s, 1 s, 2 s…) without a log line each.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      expect(diskFullErrors(server.loggedErrors).length).toBeLessThanOrEqual(2);

      await rm(join(server.baseDir, "tasks", filler, "output", "filler"));
      expect(await waitFinished(server, filler)).toMatchObject({ status: "failed", exit_code: 3, error: "the script exited with code 3" });
      expect(await waitFinished(server, after)).toMatchObject({ status: "succeeded", exit_code: 0 });
      await server.stop();
    }),
  );

  it("a server stopped while the outcome waits for room leaves the task to the next start, which records it from the exit file", { timeout: 60_000 }, () =>
    withSmallFs(async (dir) => {
      const baseDir = join(dir, "base");
      const first = await startTestServer({ baseDir, concurrency: 1 });
      await registerScript(first, "fill_disk", "fill_disk.sh", FILL_DISK);
      const filler = (await submitOk(first, "fill_disk", { args: {} })).task_id;
      await waitRunning(first, filler);
      await writeFile(join(baseDir, "tasks", filler, "go"), "");
      await waitUntil(() => diskFullErrors(first.loggedErrors).length > 0, 20_000);
      // The retries stop with the server (a test server cancels its running tasks; this one has ended already).
      await first.stop();

      await rm(join(baseDir, "tasks", filler, "output", "filler"));
      const second = await startTestServer({ baseDir, concurrency: 1 });
      // The exit status was recorded in place, though the disk was full when the script ended.
      expect(await waitFinished(second, filler)).toMatchObject({ status: "failed", exit_code: 3, error: "the script exited with code 3" });
      await second.stop();
    }),
  );
});
