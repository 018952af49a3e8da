import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it, onTestFinished } from "vitest";
import { CubQueueApiError, CubQueueClient } from "../../src/client/index.ts";
import { expectError, registerScript, submitOk, waitFinished } from "../support/api.ts";
import { runCubqueue } from "../support/cli.ts";
import { daemonBaseDir, readTaskLog, startDaemon } from "../support/daemon-server.ts";
import { startTestServer } from "../support/test-server.ts";

const TOKEN = "correct horse battery staple";
const SOME_ID = "00000000-0000-4000-8000-000000000000";

describe("token authentication", () => {
  it("with a token, every /api route answers 401 without it or with a wrong one, and serves with it", async () => {
    const server = await startTestServer({ token: TOKEN });
    const document = await (await server.request("/openapi.json")).json();
    expect(document.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    // /healthz is for probes, which hold no token; it tells only that the server and its database answer.
    const PUBLIC = ["/healthz"];
    const operations = Object.entries(document.paths as Record<string, Record<string, unknown>>)
      .filter(([path]) => !PUBLIC.includes(path))
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path: path.replace("{task_id}", SOME_ID) })));
    expect(operations.length).toBeGreaterThanOrEqual(9);
    for (const { method, path } of operations) {
      const missing = await server.request(path, { method });
      // A HEAD answer has no body: its status and headers are the GET's.
      if (method === "HEAD") {
        expect(missing.status, path).toBe(401);
        expect(missing.headers.get("www-authenticate")).toMatch(/^Bearer/);
        expect((await server.request(path, { method, headers: { Authorization: `Bearer ${TOKEN}x` } })).status).toBe(401);
        expect((await server.request(path, { method, headers: { Authorization: `Bearer ${TOKEN}` } })).status).not.toBe(401);
        continue;
      }
      await expectError(missing, 401, "missing_token");
      expect(missing.headers.get("www-authenticate")).toMatch(/^Bearer/);
      await expectError(await server.request(path, { method, headers: { Authorization: `Bearer ${TOKEN}x` } }), 401, "invalid_token");
      await expectError(await server.request(path, { method, headers: { Authorization: TOKEN } }), 401, "invalid_token");
      const allowed = await server.request(path, { method, headers: { Authorization: `Bearer ${TOKEN}` } });
      expect(allowed.status, `${method} ${path}`).not.toBe(401);
      expect(allowed.status, `${method} ${path}`).toBeLessThan(500);
      // The event stream never ends by itself.
      await allowed.body?.cancel();
    }
    expect(operations.map(({ path }) => path)).toEqual(expect.arrayContaining(["/api/events", "/metrics"]));
    expect(await (await server.request("/healthz")).json()).toEqual({ status: "ok", database: "ok" });
    // The document and its page are public: they hold no data.
    expect((await server.request("/docs")).status).toBe(200);
  });

  it("the CLI sends the token from --token, CUBQUEUE_TOKEN or the base dir's record, and scripts never see it", async () => {
    const baseDir = await daemonBaseDir();
    const server = await startDaemon(baseDir, ["--token", TOKEN]);
    expect((await stat(join(baseDir, "cubqueue.token"))).mode & 0o777).toBe(0o600);
    expect(await readFile(`/proc/${server.pid}/cmdline`, "utf8")).not.toContain(TOKEN);

    const refused = await runCubqueue(["namespace", "--url", server.url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("requires a token");
    expect(refused.stderr.trim().split("\n")).toHaveLength(1);
    for (const [args, env] of [
      [["namespace", "--url", server.url, "--token", TOKEN], {}],
      [["namespace", "--url", server.url], { CUBQUEUE_TOKEN: TOKEN }],
      [["namespace", "--base-dir", baseDir], {}],
    ] as const) {
      const listed = await runCubqueue([...args], env);
      expect(listed, listed.stderr).toMatchObject({ code: 0 });
    }

    // The recorded token goes only to the server the base dir records, never to another URL.
    const seen: Array<string | undefined> = [];
    const other = createServer((request, response) => {
      seen.push(request.headers.authorization);
      response.setHeader("Content-Type", "application/json");
      response.end(JSON.stringify({ scripts: [] }));
    });
    await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
    onTestFinished(() => new Promise<void>((resolve) => other.close(() => resolve())));
    const elsewhere = await runCubqueue(["namespace", "--base-dir", baseDir, "--url", `http://127.0.0.1:${(other.address() as AddressInfo).port}`]);
    expect(elsewhere, elsewhere.stderr).toMatchObject({ code: 0 });
    expect(seen).toEqual([undefined]);

    const authorized = { ...server, request: (path: string, init: RequestInit = {}) => server.request(path, { ...init, headers: { Authorization: `Bearer ${TOKEN}` } }) };
    await registerScript(authorized, "show_env", "show_env.sh", "#!/bin/sh\nenv\n");
    const { task_id } = await submitOk(authorized, "show_env", { args: {} });
    expect(await waitFinished(authorized, task_id)).toMatchObject({ status: "succeeded" });
    const log = await readTaskLog(baseDir, task_id);
    expect(log).toContain(`CUBQUEUE_TASK_ID=${task_id}`);
    expect(log).not.toContain(TOKEN);
  });

  it("the SDK sends its token", async () => {
    const server = await startTestServer({ token: TOKEN });
    expect(await new CubQueueClient(server.url, { token: TOKEN }).listScripts()).toEqual([]);
    const refused = await new CubQueueClient(server.url).listScripts().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CubQueueApiError);
    expect(refused).toMatchObject({ status: 401, code: "missing_token" });
  });

  it("a server refuses a non-loopback address without a token and says why; a token or --insecure allows it", async () => {
    const baseDir = await daemonBaseDir();
    const refused = await runCubqueue(["start", "--base-dir", baseDir, "--host", "0.0.0.0", "--port", "0"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("Refusing to listen on 0.0.0.0 without a token");
    expect(refused.stderr).toContain("--insecure");

    for (const flags of [["--token", TOKEN], ["--insecure"]]) {
      const server = await startDaemon(baseDir, ["--host", "0.0.0.0", ...flags]);
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const stopped = await runCubqueue(["stop", "--base-dir", baseDir]);
      expect(stopped, stopped.stderr).toMatchObject({ code: 0 });
    }
  });
});
