import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectError, registerScript, submitOk, waitFinished, waitRunning } from "../support/api.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

/** Counts its runs in metadata/, prints its argument file, and succeeds from run `succeedAt` on. */
const counting = (succeedAt: number) =>
  `#!/bin/sh\nn=$(cat metadata/runs 2>/dev/null || echo 0)\nn=$((n + 1))\necho $n > metadata/runs\necho "run $n: $(cat "$1")"\n[ "$n" -ge ${succeedAt} ]\n`;

const restart = (server: TestServer, id: string, argFile?: string, extra?: (form: FormData) => void) => {
  if (argFile === undefined && !extra) return server.request(`/api/task/${id}/restart`, { method: "POST" });
  const form = new FormData();
  if (argFile !== undefined) form.set("arg_file", new Blob([argFile]), "args.json");
  extra?.(form);
  return server.request(`/api/task/${id}/restart`, { method: "POST", body: form });
};

describe("POST /api/task/{id}/restart", () => {
  it("runs a failed task again as its next attempt, in its folder, with its retries counted afresh", async () => {
    const server = await startTestServer();
    await registerScript(server, "counting", "counting.sh", counting(4));
    const { task_id } = await submitOk(server, "counting", { args: { n: 1 }, fields: { max_retries: "1" } });
    expect(await waitFinished(server, task_id)).toMatchObject({ status: "failed", attempts: 2 });

    const answer = await restart(server, task_id);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ task_id, status: "queued", error: null, finished_at: null, attempts: 2 });
    // Attempt 3 fails and, the retries counting from the restart, attempt 4 runs and succeeds.
    const task = await waitFinished(server, task_id);
    expect(task).toMatchObject({ status: "succeeded", attempts: 4, exit_code: 0 });
    expect(task.attempt_history.map((attempt: { error: string | null }) => attempt.error)).toEqual([
      "the script exited with code 1",
      "the script exited with code 1",
      "the script exited with code 1",
      null,
    ]);
    const dir = join(server.baseDir, "tasks", task_id);
    expect(await readFile(join(dir, "log.1.txt"), "utf8")).toBe('run 1: {"n":1}\n');
    expect(await readFile(join(dir, "log.txt"), "utf8")).toBe('run 4: {"n":1}\n');
  });

  it("takes a new argument file, whose placeholders name the files the task already has", async () => {
    const server = await startTestServer();
    await registerScript(server, "counting", "counting.sh", counting(1));
    const { task_id } = await submitOk(server, "counting", { args: { input: "<file1>" }, files: [{ name: "in.txt", content: "data" }] });
    const first = await waitFinished(server, task_id);
    expect(first.status).toBe("succeeded");
    const stored = join(server.baseDir, "tasks", task_id, "files", first.files[0].stored_name);

    expect((await restart(server, task_id, '{"again": "<file1>", "big": 90071992547409931}')).status).toBe(200);
    await waitFinished(server, task_id);
    const dir = join(server.baseDir, "tasks", task_id);
    expect(await readFile(join(dir, "arg_file.json"), "utf8")).toBe(`{"again": "${stored}", "big": 90071992547409931}`);
    expect(await readFile(join(dir, "log.txt"), "utf8")).toBe(`run 2: {"again": "${stored}", "big": 90071992547409931}\n`);
  });

  it("refuses a task that is not finished, an unknown one, and a bad argument file, changing nothing", async () => {
    const server = await startTestServer();
    await registerScript(server, "slow", "slow.sh", "#!/bin/sh\nsleep 30\n");
    await registerScript(server, "counting", "counting.sh", counting(1));
    const running = await submitOk(server, "slow", { args: {} });
    await waitRunning(server, running.task_id);
    await expectError(await restart(server, running.task_id), 409, "task_not_finished");
    await expectError(await restart(server, "00000000-0000-4000-8000-000000000000"), 404, "task_not_found");

    const { task_id } = await submitOk(server, "counting", { args: { keep: true } });
    await waitFinished(server, task_id);
    const argFile = join(server.baseDir, "tasks", task_id, "arg_file.json");
    await expectError(await restart(server, task_id, '{"x": "<file1>"}'), 400, "unknown_placeholder");
    await expectError(await restart(server, task_id, "{not json"), 400, "invalid_arg_file");
    await expectError(await restart(server, task_id, "{}", (form) => form.set("file1", new Blob(["x"]), "x.bin")), 400, "unexpected_field");
    await expectError(await restart(server, task_id, undefined, (form) => form.set("note", "no file")), 400, "missing_file");
    expect(await readFile(argFile, "utf8")).toBe('{"keep":true}');
    expect(await (await server.request(`/api/task/${task_id}`)).json()).toMatchObject({ status: "succeeded", attempts: 1 });
  });
});
