import { describe, expect, it } from "vitest";
import { multipartBody, rawRequest, type RawResponse } from "../support/raw-http.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

const TOKEN = "a token for the browser guard";

function errorCode(response: RawResponse): string | undefined {
  return (JSON.parse(response.text) as { error?: { code?: string } }).error?.code;
}

async function scriptForm(name: string) {
  const form = new FormData();
  form.set("name", name);
  form.set("desc", "should never be stored");
  form.set("script", new Blob(["#!/bin/sh\necho ran\n"]), "attack.sh");
  return multipartBody(form);
}

async function registeredNames(server: TestServer): Promise<string[]> {
  const { scripts } = (await (await server.request("/api/script")).json()) as { scripts: Array<{ name: string }> };
  return scripts.map((script) => script.name);
}

describe("requests from browsers", () => {
  it("a server without a token answers only to loopback names and IP addresses", async () => {
    const server = await startTestServer();
    const port = new URL(server.url).port;
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `127.8.9.10:${port}`, `[::1]:${port}`, "LOCALHOST", `192.168.1.20:${port}`]) {
      const response = await rawRequest(`${server.url}/api/task`, { headers: { Host: host } });
      expect(response.status, host).toBe(200);
    }
    // What a DNS rebinding attack sends: a name the attacker controls, resolved to this machine.
    for (const host of [`evil.test:${port}`, "evil.test", `localhost.evil.test:${port}`, `127.0.0.1.evil.test:${port}`]) {
      for (const path of ["/api/task", "/openapi.json", "/docs"]) {
        const response = await rawRequest(`${server.url}${path}`, { headers: { Host: host } });
        expect(response.status, `${host} ${path}`).toBe(403);
        expect(errorCode(response)).toBe("forbidden_host");
        expect(JSON.parse(response.text).error.message).toContain("localhost");
      }
    }
    const { body, contentType } = await scriptForm("rebound");
    const post = await rawRequest(`${server.url}/api/script`, { method: "POST", headers: { Host: `evil.test:${port}`, "Content-Type": contentType }, body });
    expect(errorCode(post)).toBe("forbidden_host");
    expect(await registeredNames(server)).toEqual([]);
  });

  it("a server with a token serves any Host name to whoever has the token", async () => {
    const server = await startTestServer({ token: TOKEN });
    const port = new URL(server.url).port;
    const response = await rawRequest(`${server.url}/api/task`, { headers: { Host: `cubqueue.example:${port}`, Authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
  });

  it("refuses requests a browser sends from another site or origin, on every route, and never allows CORS", async () => {
    const server = await startTestServer();
    const { body, contentType } = await scriptForm("forged");
    const foreign: Array<Record<string, string>> = [
      { Origin: "http://evil.test:8080" },
      { Origin: "null" },
      { Origin: server.url.replace("127.0.0.1", "localhost") },
      { "Sec-Fetch-Site": "cross-site" },
      { "Sec-Fetch-Site": "same-site" },
      { "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "iframe" },
    ];
    for (const headers of foreign) {
      for (const [method, path] of [["GET", "/api/task"], ["GET", "/openapi.json"], ["POST", "/api/script"], ["OPTIONS", "/api/task"], ["DELETE", "/api/task/x"]] as const) {
        const response = await rawRequest(`${server.url}${path}`, {
          method,
          headers: { ...headers, "X-CubQueue-Client": "forged", ...(method === "POST" ? { "Content-Type": contentType } : {}) },
          body: method === "POST" ? body : undefined,
        });
        expect(response.status, `${JSON.stringify(headers)} ${method} ${path}`).toBe(403);
        expect(errorCode(response)).toBe("cross_site_request");
        expect(Object.keys(response.headers).filter((name) => name.startsWith("access-control-"))).toEqual([]);
      }
    }
    expect(await registeredNames(server)).toEqual([]);
    // A followed link is a top-level GET: the other page never sees the answer.
    const link = await rawRequest(`${server.url}/docs`, { headers: { "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document" } });
    expect(link.status).toBe(200);
  });

  it("a state-changing request from a browser needs the client header or the token; curl-like requests do not", async () => {
    const server = await startTestServer();
    const same = { Origin: server.url, "Sec-Fetch-Site": "same-origin" };
    const browserHeaders: Array<Record<string, string>> = [same, { Origin: server.url }, { "Sec-Fetch-Site": "same-origin" }];
    for (const headers of browserHeaders) {
      const { body, contentType } = await scriptForm("no_header");
      const response = await rawRequest(`${server.url}/api/script`, { method: "POST", headers: { ...headers, "Content-Type": contentType }, body });
      expect(response.status, JSON.stringify(headers)).toBe(403);
      expect(errorCode(response)).toBe("client_header_required");
      expect(JSON.parse(response.text).error.message).toContain("X-CubQueue-Client");
    }
    expect(await registeredNames(server)).toEqual([]);
    // Reading is allowed from the server's own pages.
    expect((await rawRequest(`${server.url}/api/task`, { headers: same })).status).toBe(200);

    const withHeader = await scriptForm("with_header");
    const allowed = await rawRequest(`${server.url}/api/script`, {
      method: "POST",
      headers: { ...same, "X-CubQueue-Client": "swagger-ui", "Content-Type": withHeader.contentType },
      body: withHeader.body,
    });
    expect(allowed.status, allowed.text).toBe(201);
    const plain = await scriptForm("from_curl");
    const curl = await rawRequest(`${server.url}/api/script`, { method: "POST", headers: { "Content-Type": plain.contentType }, body: plain.body });
    expect(curl.status, curl.text).toBe(201);
    expect((await registeredNames(server)).sort()).toEqual(["from_curl", "with_header"]);
  });

  it("with a token, a browser request carrying it needs no client header", async () => {
    const server = await startTestServer({ token: TOKEN });
    const { body, contentType } = await scriptForm("with_token");
    const response = await rawRequest(`${server.url}/api/script`, {
      method: "POST",
      headers: { Origin: server.url, "Sec-Fetch-Site": "same-origin", Authorization: `Bearer ${TOKEN}`, "Content-Type": contentType },
      body,
    });
    expect(response.status, response.text).toBe(201);
  });

  it("the /docs page adds the client header to its try-it-out requests, and loads nothing but its own files", async () => {
    const server = await startTestServer();
    const page = await (await server.request("/docs")).text();
    const loaded = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    expect(loaded.sort()).toEqual(["/docs/assets/favicon-32x32.png", "/docs/assets/start.js", "/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css"]);
    for (const path of loaded) expect((await server.request(path)).status, path).toBe(200);
    const start = await (await server.request("/docs/assets/start.js")).text();
    expect(start).toMatch(/requestInterceptor: \(request\) => \{ request\.headers\["X-CubQueue-Client"\] = "swagger-ui"; return request; \}/);
    // Only those files: nothing else of the package, or of the disk.
    for (const path of ["/docs/assets/package.json", "/docs/assets/index.html", "/docs/assets/..%2Fpackage.json", "/docs/assets/%2e%2e%2f%2e%2e%2fpackage.json"]) {
      expect((await server.request(path)).status, path).toBe(404);
    }
  });
});
