import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectError, FIXTURES, registerFixture } from "../support/api.ts";
import { listDir, startTestServer } from "../support/test-server.ts";

describe("POST /api/script", () => {
  it("stores the script and its description in scripts/ and answers 201 with the record", async () => {
    const server = await startTestServer();
    const script = await registerFixture(server, "echo_args.py", "echo_args", "Echoes its arguments");
    const original = await readFile(join(FIXTURES, "echo_args.py"), "utf8");

    expect(script).toMatchObject({ name: "echo_args", desc: "Echoes its arguments", filename: "echo_args.py", size: original.length });
    expect(script.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await readFile(join(server.baseDir, "scripts", "echo_args.py"), "utf8")).toBe(original);
    expect(await readFile(join(server.baseDir, "scripts", "echo_args.txt"), "utf8")).toBe("Echoes its arguments");
  });

  it("refuses an invalid name with 400 and stores nothing", async () => {
    const server = await startTestServer();
    for (const name of ["has space", "dash-name", "../escape", "a".repeat(65), ""]) {
      const form = new FormData();
      form.set("name", name);
      form.set("script", new Blob(["print(1)\n"]), "x.py");
      const response = await server.request("/api/script", { method: "POST", body: form });
      await expectError(response, 400, "invalid_script_name");
    }
    expect(await listDir(join(server.baseDir, "scripts"))).toEqual([]);
    expect(await listDir(join(server.baseDir, "cubqueue.incoming"))).toEqual([]);
  });

  it("refuses a name already taken with 409 and keeps the first script intact", async () => {
    const server = await startTestServer();
    await registerFixture(server, "echo_args.py", "taken");
    const form = new FormData();
    form.set("name", "taken");
    form.set("script", new Blob(["echo replaced\n"]), "other.sh");
    await expectError(await server.request("/api/script", { method: "POST", body: form }), 409, "script_name_taken");

    expect((await listDir(join(server.baseDir, "scripts"))).sort()).toEqual(["taken.py", "taken.txt"]);
    expect(await readFile(join(server.baseDir, "scripts", "taken.py"), "utf8")).toBe(await readFile(join(FIXTURES, "echo_args.py"), "utf8"));
  });

  it("refuses a form without the script file, or without a name, with 400", async () => {
    const server = await startTestServer();
    const noFile = new FormData();
    noFile.set("name", "lonely");
    await expectError(await server.request("/api/script", { method: "POST", body: noFile }), 400, "missing_file");

    const noName = new FormData();
    noName.set("script", new Blob(["print(1)\n"]), "x.py");
    await expectError(await server.request("/api/script", { method: "POST", body: noName }), 400, "missing_field");
    expect(await listDir(join(server.baseDir, "cubqueue.incoming"))).toEqual([]);
  });

  it("refuses a body that is not multipart with 400", async () => {
    const server = await startTestServer();
    const response = await server.request("/api/script", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "x" }),
    });
    await expectError(response, 400, "invalid_content_type");
  });
});

describe("GET /api/script", () => {
  it("lists the registered scripts by name", async () => {
    const server = await startTestServer();
    expect(await (await server.request("/api/script")).json()).toEqual({ scripts: [] });
    await registerFixture(server, "sleeper.sh", "zeta");
    await registerFixture(server, "echo_args.py", "alpha");
    const { scripts } = await (await server.request("/api/script")).json();
    expect(scripts.map((script: { name: string }) => script.name)).toEqual(["alpha", "zeta"]);
  });
});
