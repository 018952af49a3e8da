import { access, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectError, registerScript, submitOk, waitFinished, waitRunning } from "../support/api.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

const exists = (path: string) => access(path).then(() => true, () => false);
const post = (server: TestServer, path: string, body?: unknown) =>
  server.request(path, {
    method: "POST",
    ...(body === undefined ? {} : { headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }),
  });

async function scripts(server: TestServer) {
  await registerScript(server, "ok", "ok.sh", "#!/bin/sh\necho done > output/result.txt\n");
  await registerScript(server, "bad", "bad.sh", "#!/bin/sh\nexit 1\n");
  await registerScript(server, "slow", "slow.sh", "#!/bin/sh\nsleep 30\n");
}

describe("deleting finished tasks", () => {
  it("POST /api/task/{id}/delete removes a finished task's record and folder, and answers with it as it was", async () => {
    const server = await startTestServer();
    await scripts(server);
    const { task_id } = await submitOk(server, "ok", { args: {} });
    await waitFinished(server, task_id);
    const folder = join(server.baseDir, "tasks", task_id);
    expect(await exists(join(folder, "output", "result.txt"))).toBe(true);

    const answer = await post(server, `/api/task/${task_id}/delete`);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ task_id, status: "succeeded" });
    expect(await exists(folder)).toBe(false);
    await expectError(await server.request(`/api/task/${task_id}`), 404, "task_not_found");
    expect((await (await server.request("/api/task")).json()).tasks).toEqual([]);
    await expectError(await post(server, `/api/task/${task_id}/delete`), 404, "task_not_found");
  });

  it("never deletes a queued or running task", async () => {
    const server = await startTestServer({ concurrency: 1 });
    await scripts(server);
    const running = await submitOk(server, "slow", { args: {} });
    const queued = await submitOk(server, "ok", { args: {} });
    await waitRunning(server, running.task_id);
    for (const id of [running.task_id, queued.task_id]) {
      const response = await post(server, `/api/task/${id}/delete`);
      const body = await response.clone().json();
      await expectError(response, 409, "task_not_finished");
      expect(body.error.message).toMatch(/only a finished task can be deleted; cancel it first/);
      expect(await exists(join(server.baseDir, "tasks", id))).toBe(true);
    }
    expect(await (await server.request(`/api/task/${queued.task_id}`)).json()).toMatchObject({ status: "queued" });
  });

  it("POST /api/task/flush deletes the finished tasks a filter matches, and never a running one", async () => {
    const server = await startTestServer();
    await scripts(server);
    const ok = (await submitOk(server, "ok", { args: {} })).task_id;
    const bad = (await submitOk(server, "bad", { args: {} })).task_id;
    const slow = (await submitOk(server, "slow", { args: {} })).task_id;
    await waitFinished(server, ok);
    await waitFinished(server, bad);
    await waitRunning(server, slow);

    expect(await (await post(server, "/api/task/flush", { older_than_s: 3600 })).json()).toEqual({ deleted: 0, task_ids: [] });
    expect(await (await post(server, "/api/task/flush", { status: "failed" })).json()).toEqual({ deleted: 1, task_ids: [bad] });
    expect(await (await post(server, "/api/task/flush")).json()).toEqual({ deleted: 1, task_ids: [ok] });
    const left = (await (await server.request("/api/task")).json()).tasks.map((task: { task_id: string }) => task.task_id);
    expect(left).toEqual([slow]);
    expect(await exists(join(server.baseDir, "tasks", ok))).toBe(false);
    await expectError(await post(server, "/api/task/flush", { status: "running" }), 400, "invalid_request");
    await expectError(await post(server, "/api/task/flush", { older_than_s: -1 }), 400, "invalid_request");
    await expectError(await post(server, "/api/task/flush", { status: 5 }), 400, "invalid_request");
    const malformed = await server.request("/api/task/flush", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{older" });
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error.code).toEqual(expect.any(String));
    expect(await (await server.request(`/api/task/${slow}`)).json()).toMatchObject({ status: "running" });
  });

  it("a marker name the script filled with a symlink or a FIFO is replaced, never followed or opened", async () => {
    const server = await startTestServer();
    const outside = join(server.baseDir, "precious.txt");
    await writeFile(outside, "keep me");
    await registerScript(server, "linker", "linker.sh", `#!/bin/sh\nln -s '${outside}' cubqueue.pending\n`);
    await registerScript(server, "fifo", "fifo.sh", "#!/bin/sh\nmkfifo cubqueue.pending\n");
    for (const script of ["linker", "fifo"]) {
      const { task_id } = await submitOk(server, script, { args: {} });
      await waitFinished(server, task_id);
      expect((await post(server, `/api/task/${task_id}/delete`)).status).toBe(200);
      expect(await exists(join(server.baseDir, "tasks", task_id))).toBe(false);
    }
    expect(await readFile(outside, "utf8")).toBe("keep me");
  });
});
