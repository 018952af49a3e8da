import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectError, expectNothingLeft, registerFixture, registerScript, submit, submitOk, waitFinished, waitRunning } from "../support/api.ts";
import { listDir, startTestServer } from "../support/test-server.ts";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

describe("POST /api/task", () => {
  it("stores the uploads, resolves every placeholder and runs the script to success", async () => {
    const server = await startTestServer();
    await registerFixture(server, "echo_args.py", "echo_args");
    const args = {
      inputs: ["<file1>", "<file2>"],
      nested: { deep: [{ path: "in <file2> and again <file1>" }] },
      label: "run-1",
      untouched: "<file0> <fileX>",
      count: 3,
    };
    const created = await submitOk(server, "echo_args", {
      args,
      files: [
        { name: "reads.fastq", content: "ACGT\n" },
        { name: "ligand.sdf", content: "molecule\n" },
      ],
    });
    expect(created.status).toBe("queued");

    const task = await waitFinished(server, created.task_id);
    expect(task).toMatchObject({ status: "succeeded", exit_code: 0, signal: null, error: null, attempts: 1 });
    expect(task.files).toEqual([
      expect.objectContaining({ placeholder: "<file1>", name: "reads.fastq", size: 5, sha256: sha256("ACGT\n") }),
      expect.objectContaining({ placeholder: "<file2>", name: "ligand.sdf", size: 9, sha256: sha256("molecule\n") }),
    ]);
    for (const key of ["created_at", "started_at", "finished_at"]) expect(new Date(task[key]).toISOString()).toBe(task[key]);

    const dir = join(server.baseDir, "tasks", created.task_id);
    expect((await listDir(dir)).sort()).toEqual(["arg_file.json", "cubqueue.exit", "echo_args.py", "files", "log.txt", "metadata", "output"]);
    expect((await readFile(join(dir, "cubqueue.exit"), "utf8")).trimEnd()).toBe("exit 0");
    const stored = task.files.map((file: { stored_name: string }) => join(dir, "files", file.stored_name));
    expect(task.files[0].stored_name).toMatch(/^[0-9a-f-]{36}\.fastq$/);
    const resolved = JSON.parse(await readFile(join(dir, "arg_file.json"), "utf8"));
    expect(resolved).toEqual({
      inputs: stored,
      nested: { deep: [{ path: `in ${stored[1]} and again ${stored[0]}` }] },
      label: "run-1",
      untouched: "<file0> <fileX>",
      count: 3,
    });
    expect(await readFile(join(dir, "output", "copy1.dat"), "utf8")).toBe("ACGT\n");
    expect(await readFile(join(dir, "output", "copy2.dat"), "utf8")).toBe("molecule\n");

    const log = await readFile(join(dir, "log.txt"), "utf8");
    expect(log).toContain(`cwd: ${dir}`);
    expect(log).toContain(`CUBQUEUE_TASK_ID=${created.task_id}`);
    expect(log).toContain(`CUBQUEUE_ARG_FILE=${join(dir, "arg_file.json")}`);
    expect(log).toContain(`CUBQUEUE_OUTPUT_DIR=${join(dir, "output")}`);
    expect(log).toContain("to stderr");
  });

  it("records a failing script's exit code and says why it failed", async () => {
    const server = await startTestServer();
    await registerFixture(server, "echo_args.py", "echo_args");
    const created = await submitOk(server, "echo_args", { args: { exit_code: 3 } });
    const task = await waitFinished(server, created.task_id);
    expect(task).toMatchObject({ status: "failed", exit_code: 3, signal: null });
    expect(task.error).toContain("exited with code 3");
  });

  it("refuses an unknown script with 404 and leaves nothing behind", async () => {
    const server = await startTestServer();
    await expectError(await submit(server, "nope", { args: {}, files: [{ name: "a.txt", content: "x" }] }), 404, "script_not_found");
    await expectNothingLeft(server);
  });

  it("answers an unknown script with 404 before it looks at the argument file's placeholders or JSON", async () => {
    const server = await startTestServer();
    await expectError(await submit(server, "nope", { args: { a: "<file7>" } }), 404, "script_not_found");
    const notJson = new FormData();
    notJson.set("script_name", "nope");
    notJson.set("arg_file", new Blob(["{not json"]), "args.json");
    await expectError(await server.request("/api/task", { method: "POST", body: notJson }), 404, "script_not_found");
    await expectNothingLeft(server);
  });

  it("refuses an argument file that is not JSON with 400 and leaves nothing behind", async () => {
    const server = await startTestServer();
    await registerFixture(server, "echo_args.py", "echo_args");
    const form = new FormData();
    form.set("script_name", "echo_args");
    form.set("arg_file", new Blob(["{ not json"]), "args.json");
    form.set("file1", new Blob(["data"]), "data.bin");
    await expectError(await server.request("/api/task", { method: "POST", body: form }), 400, "invalid_arg_file");
    await expectNothingLeft(server);
  });

  it("refuses a missing argument file or script name with 400", async () => {
    const server = await startTestServer();
    await registerFixture(server, "echo_args.py", "echo_args");
    const noArgs = new FormData();
    noArgs.set("script_name", "echo_args");
    await expectError(await server.request("/api/task", { method: "POST", body: noArgs }), 400, "missing_file");
    const noScript = new FormData();
    noScript.set("arg_file", new Blob(["{}"]), "args.json");
    await expectError(await server.request("/api/task", { method: "POST", body: noScript }), 400, "missing_field");
    await expectNothingLeft(server);
  });

  it("refuses a placeholder with no matching file with 400, naming it", async () => {
    const server = await startTestServer();
    await registerFixture(server, "echo_args.py", "echo_args");
    const response = await submit(server, "echo_args", {
      args: { a: "<file1>", b: ["<file3>"] },
      files: [{ name: "one.txt", content: "1" }],
    });
    const body = await expectError(response, 400, "unknown_placeholder");
    expect(body.error.message).toContain("<file3>");
    await expectNothingLeft(server);
  });

  it("refuses an unexpected file field with 400", async () => {
    const server = await startTestServer();
    await registerFixture(server, "echo_args.py", "echo_args");
    const form = new FormData();
    form.set("script_name", "echo_args");
    form.set("arg_file", new Blob(["{}"]), "args.json");
    form.set("upload", new Blob(["x"]), "x.bin");
    await expectError(await server.request("/api/task", { method: "POST", body: form }), 400, "unexpected_field");
    await expectNothingLeft(server);
  });

  it("runs a copy of the script taken at submission, inside the task folder, even when the script is replaced before it runs", async () => {
    const server = await startTestServer();
    // Waits for metadata/go, so the task is still waiting when the script is replaced.
    const version = (label: string) => `#!/bin/sh\nuntil [ -e metadata/go ]; do sleep 0.05; done\necho ${label} > output/ran.txt\n`;
    await registerScript(server, "job", "job.sh", version("v1"));
    const created = await submitOk(server, "job", { args: {} });
    await waitRunning(server, created.task_id);
    const form = new FormData();
    form.set("name", "job");
    form.set("replace", "true");
    form.set("script", new Blob([version("v2")]), "job.sh");
    expect((await server.request("/api/script", { method: "POST", body: form })).status).toBe(201);
    expect(await readFile(join(server.baseDir, "scripts", "job.sh"), "utf8")).toBe(version("v2"));

    const dir = join(server.baseDir, "tasks", created.task_id);
    await writeFile(join(dir, "metadata", "go"), "");
    expect(await waitFinished(server, created.task_id)).toMatchObject({ status: "succeeded", script_version: 1, script_sha256: sha256(version("v1")) });
    // The copy is what ran: version 1, though scripts/ holds version 2 by then.
    expect(await readFile(join(dir, "output", "ran.txt"), "utf8")).toBe("v1\n");
    expect(await readFile(join(dir, "job.sh"), "utf8")).toBe(version("v1"));
  });
});
