import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Hono } from "hono";
import { CLIENT_HEADER } from "../browser-guard.ts";

/**
 * The files of Swagger UI that /docs loads, from the swagger-ui-dist package (pinned in
 * package.json): served by CubQueue itself, so the page works on a machine without internet.
 * Only these names are served; nothing else of the package, or of the disk, can be asked for.
 */
const ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "favicon-32x32.png": "image/png",
};

/** The page: Swagger UI over /openapi.json, its try-it-out requests marked as the browser guard wants (see browser-guard.ts). */
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>CubQueue API</title>
<link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/start.js"></script>
</body>
</html>
`;

const START = `window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  requestInterceptor: (request) => { request.headers[${JSON.stringify(CLIENT_HEADER)}] = "swagger-ui"; return request; },
});
`;

/** A day: the files change only with the package's version, and the page asks again after that. */
const ASSET_CACHE = "public, max-age=86400";

/** /docs and its assets. The package's files are read once, when first asked for (2 MB in all). */
export function createDocsRouter() {
  const folder = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
  const loaded = new Map<string, Promise<Uint8Array<ArrayBuffer>>>();
  const load = (name: string) => {
    let file = loaded.get(name);
    if (!file) {
      file = readFile(join(folder, name)).then((bytes) => new Uint8Array(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength));
      // A failed read is tried again next time rather than remembered.
      file.catch(() => loaded.delete(name));
      loaded.set(name, file);
    }
    return file;
  };

  const router = new Hono();
  router.get("/docs", (c) => c.html(PAGE));
  router.get("/docs/assets/start.js", (c) => c.body(START, 200, { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": ASSET_CACHE }));
  router.get("/docs/assets/:name", async (c) => {
    const name = c.req.param("name");
    const type = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    if (!type) return c.notFound();
    return c.body(await load(name), 200, { "Content-Type": type, "Cache-Control": ASSET_CACHE });
  });
  return router;
}
