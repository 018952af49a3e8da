/**
 * Writes openapi/openapi.json from the route definitions, and the SDK's types
 * from that document. Run from the project root with `npm run openapi`; a test
 * fails when either committed file differs from what this produces.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { OPENAPI_JSON_PATH, SDK_TYPES_PATH, renderOpenApiJson, renderSdkTypes } from "./render.ts";

const json = renderOpenApiJson();
const outputs: Array<[string, string]> = [
  [OPENAPI_JSON_PATH, json],
  [SDK_TYPES_PATH, await renderSdkTypes(json)],
];
for (const [path, content] of outputs) {
  const target = resolve(process.cwd(), path);
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, content);
  console.log(`Wrote ${path}`);
}
