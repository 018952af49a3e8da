import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { OPENAPI_JSON_PATH, SDK_TYPES_PATH, renderOpenApiJson, renderSdkTypes } from "../../openapi/render.ts";
import { startTestServer } from "../support/test-server.ts";

const committed = (path: string) => readFile(new URL(`../../${path}`, import.meta.url), "utf8");

describe("the OpenAPI contract", () => {
  it("openapi/openapi.json matches the route definitions (run `npm run openapi` if not)", async () => {
    expect(await committed(OPENAPI_JSON_PATH)).toBe(renderOpenApiJson());
  });

  it("the SDK types match openapi/openapi.json (run `npm run openapi` if not)", async () => {
    expect(await committed(SDK_TYPES_PATH)).toBe(await renderSdkTypes(await committed(OPENAPI_JSON_PATH)));
  });

  it("documents every endpoint of the spec and those beyond it, with their error responses", async () => {
    const document = JSON.parse(await committed(OPENAPI_JSON_PATH));
    const operations = Object.entries(document.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>).flatMap(
      ([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ route: `${method.toUpperCase()} ${path}`, operation })),
    );
    expect(operations.map((entry) => entry.route).sort()).toEqual([
      "DELETE /api/script/{name}",
      "DELETE /api/task/{task_id}",
      "DELETE /api/upload/{upload_id}",
      "GET /api/blob/{sha256}",
      "GET /api/events",
      "GET /api/queue",
      "GET /api/script",
      "GET /api/script/{name}",
      "GET /api/task",
      "GET /api/task/{task_id}",
      "GET /api/task/{task_id}/log",
      "GET /api/task/{task_id}/log/follow",
      "GET /api/task/{task_id}/log/raw",
      "GET /api/task/{task_id}/metadata",
      "GET /api/task/{task_id}/result",
      "GET /api/upload/{upload_id}",
      "GET /healthz",
      "GET /metrics",
      "HEAD /api/blob/{sha256}",
      "HEAD /api/upload/{upload_id}",
      "OPTIONS /api/upload",
      "PATCH /api/queue",
      "PATCH /api/task/{task_id}",
      "PATCH /api/upload/{upload_id}",
      "POST /api/queue/pause",
      "POST /api/queue/resume",
      "POST /api/script",
      "POST /api/task",
      "POST /api/task/array",
      "POST /api/task/flush",
      "POST /api/task/{task_id}/delete",
      "POST /api/task/{task_id}/hold",
      "POST /api/task/{task_id}/release",
      "POST /api/task/{task_id}/restart",
      "POST /api/task/{task_id}/resume",
      "POST /api/task/{task_id}/suspend",
      "POST /api/upload",
    ]);
    for (const { route, operation } of operations) {
      if (/\{(task_id|name|upload_id|sha256)\}/.test(route)) expect(Object.keys(operation.responses), route).toContain("404");
      // What the error handler and the token check can answer on any route.
      expect(Object.keys(operation.responses), route).toEqual(expect.arrayContaining(["401", "403", "500"]));
      expect(Object.keys((operation.responses["401"] as { headers?: object }).headers ?? {}), route).toEqual(["WWW-Authenticate"]);
    }
    expect(document.servers).toEqual([{ url: "/", description: expect.any(String) }]);
    expect(document.info.license).toEqual({ name: "MIT", identifier: "MIT" });
  });

  it("is served at /openapi.json, with an interactive page at /docs", async () => {
    const server = await startTestServer();
    expect(await (await server.request("/openapi.json")).json()).toEqual(JSON.parse(renderOpenApiJson()));
    const docs = await server.request("/docs");
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('<script src="/docs/assets/start.js"></script>');
    expect(await (await server.request("/docs/assets/start.js")).text()).toContain('url: "/openapi.json"');
  });
});
