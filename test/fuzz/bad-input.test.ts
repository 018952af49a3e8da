import { readdir } from "node:fs/promises";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { registerFixture, submitOk, waitFinished } from "../support/api.ts";
import { badRequests, type OpenApiDocument } from "../support/bad-requests.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

/** Every file and folder under the base dir except the database's own files. */
async function snapshot(server: TestServer): Promise<string[]> {
  const entries = await readdir(server.baseDir, { recursive: true, withFileTypes: true });
  return entries
    .map((entry) => relative(server.baseDir, join(entry.parentPath, entry.name)))
    .filter((path) => !path.startsWith("cubqueue.db"))
    .sort();
}

async function counts(server: TestServer) {
  const tasks = (await (await server.request("/api/task?limit=1000")).json()).tasks.length;
  const scripts = (await (await server.request("/api/script")).json()).scripts.length;
  return { tasks, scripts };
}

describe("bad input on every endpoint of the OpenAPI document", { timeout: 120_000 }, () => {
  it("answers 4xx with the JSON error shape, never 5xx, only statuses the operation declares, and leaves nothing behind", async () => {
    const server = await startTestServer();
    await registerFixture(server, "echo_args.py", "echo");
    const { task_id } = await submitOk(server, "echo", { args: { hello: "world" } });
    await waitFinished(server, task_id);
    const document = (await (await server.request("/openapi.json")).json()) as OpenApiDocument;
    const cases = badRequests(document, {
      pathParameter: task_id,
      text: { name: "fresh_name", desc: "a script", script_name: "echo" },
      files: { script: { name: "fresh.py", content: "print(1)\n" }, arg_file: { name: "args.json", content: "{}" } },
    });
    expect(cases.length).toBeGreaterThan(60);

    const before = { files: await snapshot(server), counts: await counts(server) };
    const failures: string[] = [];
    for (const bad of cases) {
      const response = await server.request(bad.path, bad.init);
      const text = await response.text();
      let body: { error?: { code?: unknown; message?: unknown } } | undefined;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      // A HEAD answer never has a body: its status is all it says.
      const shaped = bad.init.method === "HEAD" || (typeof body?.error?.code === "string" && typeof body.error.message === "string");
      if (response.status < 400 || response.status >= 500 || !shaped) {
        failures.push(`${bad.label}: ${response.status} ${text.slice(0, 200)}`);
      } else if (!bad.declared.includes(String(response.status))) {
        failures.push(`${bad.label}: ${response.status}, which the operation does not declare (it declares ${bad.declared.join(", ")})`);
      }
    }
    expect(failures).toEqual([]);
    expect({ files: await snapshot(server), counts: await counts(server) }).toEqual(before);
    expect(server.loggedErrors).toEqual([]);
  });
});
