import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { describe, expect, it } from "vitest";
import { expectError, expectNothingLeft, registerScript, submit, submitOk, waitFinished } from "../support/api.ts";
import { listDir, startTestServer, type TestServer } from "../support/test-server.ts";

/** Names whose stored file `<name><ext>` is one of CubQueue's own, each with what it clobbered. */
const COLLIDING: Array<[name: string, filename: string, clobbers: string]> = [
  ["notes", "notes.txt", "its description, scripts/notes.txt"],
  ["arg_file", "arg_file.json", "the task's argument file"],
  ["log", "log.txt", "the task's log"],
  ["cubqueue", "cubqueue.exit", "the exit record (exit 3 read as exit 0)"],
  ["cubqueue", "cubqueue.pending", "the pending marker"],
  ["cubqueue", "cubqueue", "CubQueue's own name"],
  ["output", "output", "the output folder (every submission answered 500)"],
  ["files", "files", "the files folder (every submission answered 500)"],
  ["metadata", "metadata", "the metadata folder (every submission answered 500)"],
  ["LOG", "LOG.TXT", "the task's log on a case-insensitive file system"],
];

function registration(name: string, filename: string, scriptFirst = false) {
  const form = new FormData();
  if (!scriptFirst) form.set("name", name);
  form.set("script", new Blob(["#!/bin/sh\nexit 3\n"]), filename);
  if (scriptFirst) form.set("name", name);
  form.set("desc", "a description");
  return form;
}

async function expectNothingStored(server: TestServer) {
  expect(await listDir(join(server.baseDir, "scripts"))).toEqual([]);
  expect(await listDir(join(server.baseDir, "cubqueue.incoming"))).toEqual([]);
  expect((await (await server.request("/api/script")).json()).scripts).toEqual([]);
}

describe("script names that collide with CubQueue's own files", () => {
  it.each(COLLIDING)("registering %s as %s (would clobber %s) answers 400 reserved_script_name and stores nothing", async (name, filename) => {
    const server = await startTestServer();
    // With the name before the file (refused before the upload) and after it (refused once the form is read).
    for (const scriptFirst of [false, true]) {
      const response = await server.request("/api/script", { method: "POST", body: registration(name, filename, scriptFirst) });
      const body = await expectError(response, 400, "reserved_script_name");
      expect(body.error.message).toContain(`"${filename}"`);
      expect(body.error.message).toContain("another name");
    }
    await expectNothingStored(server);
  });

  it("names that merely resemble CubQueue's files (log.py, output.sh, arg_file.py) work end to end", async () => {
    const server = await startTestServer();
    const script = (what: string) => `#!/bin/sh\necho "${what} ran"\necho result > "$CUBQUEUE_OUTPUT_DIR/result.txt"\ncat "$CUBQUEUE_ARG_FILE"\n`;
    for (const [name, filename] of [["log", "log.py"], ["output", "output.sh"], ["arg_file", "arg_file.py"], ["cubqueue_job", "cubqueue_job.sh"]] as const) {
      await registerScript(server, name, filename, script(name), `runs ${name}`);
      const { task_id } = await submitOk(server, name, { args: { which: name } });
      expect(await waitFinished(server, task_id)).toMatchObject({ status: "succeeded", exit_code: 0 });
      const dir = join(server.baseDir, "tasks", task_id);
      const [ran, ...args] = (await readFile(join(dir, "log.txt"), "utf8")).split("\n");
      expect(ran).toBe(`${name} ran`);
      expect(JSON.parse(args.join("\n"))).toEqual({ which: name });
      expect(await readFile(join(dir, "output", "result.txt"), "utf8")).toBe("result\n");
      expect(await readFile(join(server.baseDir, "scripts", `${name}.txt`), "utf8")).toBe(`runs ${name}`);
    }
  });

  it("a colliding script registered by an older CubQueue is refused at submission with 409, leaving nothing", async () => {
    const server = await startTestServer();
    // As an older database may hold it: the script log.txt, whose copy would replace the task's log.
    await writeFile(join(server.baseDir, "scripts", "log.txt"), "#!/bin/sh\nexit 3\n");
    const db = createClient({ url: `file:${join(server.baseDir, "cubqueue.db")}` });
    await db.execute({
      sql: "INSERT INTO scripts (name, desc, filename, sha256, size, created_at) VALUES ('log', '', 'log.txt', '', 17, ?)",
      args: [Date.now()],
    });
    db.close();

    const body = await expectError(await submit(server, "log", { args: {} }), 409, "reserved_script_name");
    expect(body.error.message).toContain('"log.txt"');
    expect(body.error.message).toContain("register it again under another name");
    await expectNothingLeft(server);
  });
});
