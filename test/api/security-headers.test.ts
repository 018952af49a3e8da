import { describe, expect, it } from "vitest";
import { registerScript, submitOk, waitFinished } from "../support/api.ts";
import { startTestServer } from "../support/test-server.ts";

describe("security headers", () => {
  it("every answer forbids sniffing and framing, and no /api answer may be cached", async () => {
    const server = await startTestServer();
    await registerScript(server, "writes_output", "writes_output.sh", '#!/bin/sh\necho hello\necho result > "$CUBQUEUE_OUTPUT_DIR/result.txt" 2>/dev/null || true\n');
    const { task_id } = await submitOk(server, "writes_output", { args: {} });
    await waitFinished(server, task_id);

    const document = await (await server.request("/openapi.json")).json();
    const operations = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path: path.replace("{task_id}", task_id) })),
    );
    expect(operations.length).toBeGreaterThanOrEqual(9);
    const checked = [...operations, { method: "GET", path: "/docs" }, { method: "GET", path: "/openapi.json" }, { method: "GET", path: "/no/such/page" }];
    const statuses: number[] = [];
    for (const { method, path } of checked) {
      const response = await server.request(path, { method });
      statuses.push(response.status);
      const what = `${method} ${path} (${response.status})`;
      expect(response.headers.get("x-content-type-options"), what).toBe("nosniff");
      expect(response.headers.get("x-frame-options"), what).toBe("DENY");
      expect(response.headers.get("content-security-policy"), what).toBe("frame-ancestors 'none'");
      if (path.startsWith("/api/")) expect(response.headers.get("cache-control"), what).toBe("no-store");
      await response.body?.cancel();
    }
    // The log and the archives were really served, not only refused.
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(6);
  });
});
