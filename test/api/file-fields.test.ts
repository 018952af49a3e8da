import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { describe, expect, it, onTestFinished } from "vitest";
import { signalGroup } from "../../src/runner/process-group.ts";
import { isProcessAlive } from "../../src/server/instance.ts";
import { expectError, expectNothingLeft, registerScript, submitOk, waitFinished, waitRunning, waitUntil, type Requester } from "../support/api.ts";
import { daemonBaseDir, startDaemon } from "../support/daemon-server.ts";
import { startTestServer } from "../support/test-server.ts";

const COUNT_FILES = '#!/bin/sh\nls "$CUBQUEUE_FILES_DIR" | wc -l\n';

function form(fields: Array<[field: string, content: string]>) {
  const body = new FormData();
  body.set("script_name", "count");
  for (const [field, content] of fields) body.append(field, new Blob([content]), `${field}.txt`);
  return body;
}

const post = (server: Requester, body: FormData) => server.request("/api/task", { method: "POST", body });

describe("numbered file fields", () => {
  it.each(["file9007199254740993", "file1001", "file99999999999999999999"])("%s is refused with 400, leaving nothing", async (field) => {
    const server = await startTestServer();
    await registerScript(server, "count", "count.sh", COUNT_FILES);
    const response = await post(server, form([["arg_file", `["<${field}>"]`], [field, "x"]]));
    const body = await expectError(response, 400, "file_number_out_of_range");
    expect(body.error.message).toContain(`"${field}"`);
    expect(body.error.message).toContain('"file1000"');
    await expectNothingLeft(server);
  });

  it("1,000 large files and the argument file are accepted: the limit counts large files only", async () => {
    const server = await startTestServer();
    await registerScript(server, "count", "count.sh", COUNT_FILES);
    const files = Array.from({ length: 1000 }, (_, index): [string, string] => [`file${index + 1}`, String(index)]);
    const response = await post(server, form([["arg_file", '{"last": "<file1000>"}'], ...files]));
    expect(response.status, await response.clone().text()).toBe(201);
    const task = await waitFinished(server, (await response.json()).task_id);
    expect(task.status).toBe("succeeded");
    expect(task.files).toHaveLength(1000);
    expect(task.files[999].placeholder).toBe("<file1000>");

    // One part more is refused, in those terms.
    const tooMany = await post(server, form([["arg_file", "{}"], ...files, ["file1", "again"]]));
    const body = await expectError(tooMany, 400, "too_many_files");
    expect(body.error.message).toContain("1000 large files (file1 … file1000) and the argument file");
  });

  it("a stored upload numbered above 2^53, or a running task that cannot be reconciled, fails neither the task list nor the next start", { timeout: 60_000 }, async () => {
    const baseDir = await daemonBaseDir();
    let server = await startDaemon(baseDir);
    await registerScript(server, "long", "long.sh", "#!/bin/sh\nsleep 30\n");
    const { task_id } = await submitOk(server, "long", { args: {} });
    const pid = (await waitRunning(server, task_id)).pid;
    onTestFinished(() => signalGroup(pid, "SIGKILL"));
    process.kill(server.pid, "SIGKILL");
    await waitUntil(() => !isProcessAlive(server.pid));

    // As an older CubQueue stored a field "file9007199254740993" (written as SQL text: a JS number would round it).
    const db = createClient({ url: `file:${join(baseDir, "cubqueue.db")}` });
    await db.execute({
      sql: "INSERT INTO task_files (task_id, placeholder, original_name, stored_name, size, sha256) VALUES (?, 9007199254740993, 'big.bin', 'big.bin', 1, '')",
      args: [task_id],
    });
    // And a running task whose id can name no folder: it is reported, and the others are still reconciled.
    await db.execute({
      sql: "INSERT INTO tasks (id, script_name, script_filename, arg_file, status, created_at, attempt_count) VALUES ('not-a-task-id', 'long', 'long.sh', '{}', 'running', ?, 1)",
      args: [Date.now()],
    });
    await db.execute({
      sql: "INSERT INTO task_attempts (task_id, number, executor, handle, started_at) VALUES ('not-a-task-id', 1, 'local', ?, ?)",
      args: [JSON.stringify({ pid, startToken: "x" }), Date.now()],
    });
    db.close();

    server = await startDaemon(baseDir);
    const list = await server.request("/api/task");
    expect(list.status, await list.clone().text()).toBe(200);
    const listed = (await list.json()).tasks.find((task: { task_id: string }) => task.task_id === task_id);
    expect(listed).toMatchObject({ status: "running", files: [expect.objectContaining({ placeholder: "<file9007199254740993>" })] });
    const one = await server.request(`/api/task/${task_id}`);
    expect(one.status).toBe(200);
    expect(await readFile(join(baseDir, "cubqueue.log"), "utf8")).toContain("task not-a-task-id:");
    // The running task was adopted as usual: a cancel still reaches it.
    expect((await server.request(`/api/task/${task_id}`, { method: "DELETE" })).status).toBe(200);
    expect(await waitFinished(server, task_id)).toMatchObject({ status: "cancelled" });
    await waitUntil(() => !isProcessAlive(pid));
  });
});
