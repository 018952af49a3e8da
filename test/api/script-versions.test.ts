import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectError, registerScript, submit, submitOk, waitFinished, waitRunning } from "../support/api.ts";
import { listDir, startTestServer, type TestServer } from "../support/test-server.ts";

const sha256 = (content: string) => createHash("sha256").update(content).digest("hex");

/** A script that waits for metadata/go (written by the test), then notes which version ran, in its log and output/runs.txt. */
const gated = (version: string) =>
  `#!/bin/sh\nuntil [ -e metadata/go ]; do sleep 0.05; done\necho ${version}\necho ${version} >> output/runs.txt\n`;

function registration(name: string, filename: string, content: string | Uint8Array<ArrayBuffer>, fields: Record<string, string> = {}) {
  const form = new FormData();
  form.set("name", name);
  for (const [field, value] of Object.entries(fields)) form.set(field, value);
  form.set("script", new Blob([content]), filename);
  return form;
}

const post = (server: TestServer, form: FormData) => server.request("/api/script", { method: "POST", body: form });
const replace = (server: TestServer, name: string, filename: string, content: string | Uint8Array<ArrayBuffer>, fields: Record<string, string> = {}) =>
  post(server, registration(name, filename, content, { replace: "true", ...fields }));
const getScript = async (server: TestServer, name: string) => (await server.request(`/api/script/${name}`)).json();
const release = (server: TestServer, taskId: string) => writeFile(join(server.baseDir, "tasks", taskId, "metadata", "go"), "");
const taskFile = (server: TestServer, taskId: string, ...path: string[]) => readFile(join(server.baseDir, "tasks", taskId, ...path), "utf8");

/** What a refused request must leave as it was: the records, and every file under scripts/ with its content. */
async function scriptsState(server: TestServer) {
  const dir = join(server.baseDir, "scripts");
  const files = Object.fromEntries(await Promise.all((await listDir(dir)).sort().map(async (name) => [name, await readFile(join(dir, name), "utf8")])));
  const { scripts } = await (await server.request("/api/script")).json();
  const details = await Promise.all(scripts.map((script: { name: string }) => getScript(server, script.name)));
  return { files, details, incoming: await listDir(join(server.baseDir, "cubqueue.incoming")) };
}

describe("script versions", () => {
  it("replace=true stores version 2 (file, description, record); GET lists both versions, newest first; the namespace shows the current one", async () => {
    const server = await startTestServer();
    const v1 = "#!/bin/sh\necho one\n";
    const v2 = "print('two')\n";
    const first = await registerScript(server, "job", "job.sh", v1, "first");
    expect(first).toMatchObject({ name: "job", version: 1, filename: "job.sh", sha256: sha256(v1), desc: "first" });

    // The extension changes too: the .sh file goes once the .py one is in place and recorded.
    const answer = await replace(server, "job", "job.py", v2, { desc: "second" });
    expect(answer.status, await answer.clone().text()).toBe(201);
    expect(await answer.json()).toMatchObject({ name: "job", version: 2, filename: "job.py", sha256: sha256(v2), size: v2.length, desc: "second" });
    expect((await scriptsState(server)).files).toEqual({ "job.py": v2, "job.txt": "second" });

    const detail = await getScript(server, "job");
    expect(detail).toMatchObject({ name: "job", version: 2, filename: "job.py", sha256: sha256(v2) });
    expect(detail.versions).toEqual([
      { version: 2, desc: "second", filename: "job.py", sha256: sha256(v2), size: v2.length, created_at: expect.any(String) },
      { version: 1, desc: "first", filename: "job.sh", sha256: sha256(v1), size: v1.length, created_at: first.created_at },
    ]);
    const { scripts } = await (await server.request("/api/script")).json();
    expect(scripts).toEqual([{ name: "job", version: 2, desc: "second", filename: "job.py", sha256: sha256(v2), size: v2.length, created_at: detail.created_at }]);

    // A replacement without a description keeps the one it had.
    expect(await (await replace(server, "job", "job.py", "print('three')\n")).json()).toMatchObject({ version: 3, desc: "second" });
    expect(await readFile(join(server.baseDir, "scripts", "job.txt"), "utf8")).toBe("second");

    const { task_id } = await submitOk(server, "job", { args: {} });
    expect(await waitFinished(server, task_id)).toMatchObject({ status: "succeeded", script_version: 3, script_sha256: sha256("print('three')\n") });
    expect(await taskFile(server, task_id, "log.txt")).toBe("three\n");
  });

  it("a task submitted before a replace runs its own copy, records its version, and runs it again when restarted", async () => {
    const server = await startTestServer();
    await registerScript(server, "job", "job.sh", gated("v1"));
    const before = await submitOk(server, "job", { args: {} });
    expect(before).toMatchObject({ script_version: 1, script_sha256: sha256(gated("v1")) });
    await waitRunning(server, before.task_id);

    expect((await replace(server, "job", "job.sh", gated("v2"))).status).toBe(201);
    const after = await submitOk(server, "job", { args: {} });
    await release(server, after.task_id);
    expect(await waitFinished(server, after.task_id)).toMatchObject({ status: "succeeded", script_version: 2, script_sha256: sha256(gated("v2")) });
    expect(await taskFile(server, after.task_id, "output", "runs.txt")).toBe("v2\n");

    // The first task was still at its gate while version 2 came and ran.
    await release(server, before.task_id);
    expect(await waitFinished(server, before.task_id)).toMatchObject({ status: "succeeded", script_version: 1, script_sha256: sha256(gated("v1")) });
    expect(await taskFile(server, before.task_id, "output", "runs.txt")).toBe("v1\n");
    expect(await taskFile(server, before.task_id, "job.sh")).toBe(gated("v1"));

    expect((await server.request(`/api/task/${before.task_id}/restart`, { method: "POST" })).status).toBe(200);
    expect(await waitFinished(server, before.task_id)).toMatchObject({ status: "succeeded", attempts: 2, script_version: 1 });
    expect(await taskFile(server, before.task_id, "output", "runs.txt")).toBe("v1\nv1\n");
    expect(await taskFile(server, before.task_id, "log.txt")).toBe("v1\n");
  });

  it("unregister removes the file, description and records; its tasks keep running, stay readable and restartable; a submit to it answers 404", async () => {
    const server = await startTestServer();
    await registerScript(server, "job", "job.sh", gated("v1"));
    expect((await replace(server, "job", "job.sh", gated("v2"))).status).toBe(201);
    const running = await submitOk(server, "job", { args: {} });
    await waitRunning(server, running.task_id);

    const removed = await server.request("/api/script/job", { method: "DELETE" });
    expect(removed.status).toBe(200);
    expect(await removed.json()).toMatchObject({ name: "job", version: 2, versions: [{ version: 2 }, { version: 1 }] });
    expect(await listDir(join(server.baseDir, "scripts"))).toEqual([]);
    expect((await (await server.request("/api/script")).json()).scripts).toEqual([]);
    await expectError(await server.request("/api/script/job"), 404, "script_not_found");
    const refused = await expectError(await submit(server, "job", { args: {} }), 404, "script_not_found");
    expect(refused.error.message).toContain('"job"');
    expect((await (await server.request("/api/task")).json()).tasks.map((task: { task_id: string }) => task.task_id)).toEqual([running.task_id]);

    await release(server, running.task_id);
    expect(await waitFinished(server, running.task_id)).toMatchObject({ status: "succeeded", script_name: "job", script_version: 2 });
    expect((await server.request(`/api/task/${running.task_id}/restart`, { method: "POST" })).status).toBe(200);
    expect(await waitFinished(server, running.task_id)).toMatchObject({ status: "succeeded", attempts: 2 });
    expect(await taskFile(server, running.task_id, "output", "runs.txt")).toBe("v2\nv2\n");

    // The name is free again, and starts over at version 1.
    expect(await registerScript(server, "job", "job.py", "print(1)\n")).toMatchObject({ version: 1, filename: "job.py" });
  });

  it("refused registrations, replaces and unregisters leave the records and scripts/ as they were", async () => {
    const server = await startTestServer();
    await registerScript(server, "job", "job.sh", "#!/bin/sh\necho one\n", "the job");
    const unchanged = await scriptsState(server);

    const refusals: Array<[what: string, request: () => Promise<Response>, status: number, code: string, says: RegExp]> = [
      ["replace of an unknown name", () => replace(server, "ghost", "ghost.sh", "#!/bin/sh\n"), 404, "script_not_found", /nothing to replace; register it without --replace/],
      ["a taken name without replace", () => post(server, registration("job", "job.sh", "#!/bin/sh\n")), 409, "script_name_taken", /--replace/],
      ["replace=false of a taken name", () => post(server, registration("job", "job.sh", "#!/bin/sh\n", { replace: "false" })), 409, "script_name_taken", /replace=true/],
      ["a replace that is neither true nor false", () => post(server, registration("job", "job.sh", "#!/bin/sh\n", { replace: "yes" })), 400, "invalid_field", /send true/],
      ["a .txt script (its description's name)", () => post(server, registration("notes", "notes.txt", "#!/bin/sh\n")), 400, "reserved_script_name", /description/],
      ["a replace by a .txt script", () => replace(server, "job", "job.txt", "#!/bin/sh\n"), 400, "reserved_script_name", /description/],
      ["text without shebang or extension", () => post(server, registration("plain", "plain", "echo hi\n")), 400, "script_not_runnable", /shebang.*\.py, \.sh/],
      ["text with an unknown extension", () => post(server, registration("plain", "plain.dat", "echo hi\n")), 400, "script_not_runnable", /Add a shebang line/],
      ["a replace by one that could never run", () => replace(server, "job", "job", "echo hi\n"), 400, "script_not_runnable", /could never run/],
      ["an empty replacement", () => replace(server, "job", "job.sh", ""), 400, "empty_script", /empty/],
      ["unregistering an unknown name", () => server.request("/api/script/ghost", { method: "DELETE" }), 404, "script_not_found", /"ghost"/],
      ["unregistering a malformed name", () => server.request("/api/script/no-such", { method: "DELETE" }), 400, "invalid_request", /not a script name/],
      ["reading an unknown name", () => server.request("/api/script/ghost"), 404, "script_not_found", /cubqueue namespace/],
    ];
    for (const [what, request, status, code, says] of refusals) {
      const body = await expectError(await request(), status, code);
      expect(body.error.message, what).toMatch(says);
      expect(await scriptsState(server), what).toEqual(unchanged);
    }
  });

  it("a compiled program with neither shebang nor extension is still accepted (it is executed directly)", async () => {
    const server = await startTestServer();
    await registerScript(server, "native", "native", "#!/bin/sh\nexit 0\n");
    const answer = await replace(server, "native", "true", await readFile("/bin/true"));
    expect(answer.status, await answer.clone().text()).toBe(201);
    const { task_id } = await submitOk(server, "native", { args: {} });
    expect(await waitFinished(server, task_id)).toMatchObject({ status: "succeeded", script_version: 2 });
  });

  it("submissions racing replaces each record the version whose file they copied", async () => {
    const server = await startTestServer({ concurrency: 1 });
    const version = (n: number) => `#!/bin/sh\n# version ${n}\n`;
    await registerScript(server, "job", "job.sh", version(1));
    // Three lanes submit one task after another while a fourth replaces the script, changing its extension each time.
    const submitting = async () => {
      const submitted = [];
      for (let i = 0; i < 10; i++) submitted.push(await submitOk(server, "job", { args: {} }));
      return submitted;
    };
    const replacing = async () => {
      for (const n of [2, 3, 4, 5, 6]) expect((await replace(server, "job", n % 2 ? "job.sh" : "job.py", version(n))).status).toBe(201);
    };
    const [lanes] = await Promise.all([Promise.all([submitting(), submitting(), submitting()]), replacing()]);
    const tasks = lanes.flat();

    const shaOf = new Map((await getScript(server, "job")).versions.map((each: { version: number; sha256: string }) => [each.version, each.sha256]));
    expect([...shaOf.keys()]).toEqual([6, 5, 4, 3, 2, 1]);
    for (const task of tasks) {
      expect(task.script_sha256).toBe(shaOf.get(task.script_version));
      const filename = task.script_version! % 2 ? "job.sh" : "job.py";
      expect(sha256(await taskFile(server, task.task_id, filename)), `task of version ${task.script_version}`).toBe(task.script_sha256);
    }
  });

  it("a script file changed behind CubQueue's back is refused at submission, not run as a version it is not", async () => {
    const server = await startTestServer();
    await registerScript(server, "job", "job.sh", "#!/bin/sh\necho registered\n");
    await writeFile(join(server.baseDir, "scripts", "job.sh"), "#!/bin/sh\necho edited\n");
    const body = await expectError(await submit(server, "job", { args: {} }), 409, "script_file_mismatch");
    expect(body.error.message).toContain("--replace");
    expect(await listDir(join(server.baseDir, "tasks"))).toEqual([]);
    expect(await listDir(join(server.baseDir, "cubqueue.incoming"))).toEqual([]);
  });
});
