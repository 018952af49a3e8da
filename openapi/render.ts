import openapiTS, { astToString } from "openapi-typescript";
import { buildOpenApiDocument } from "../src/api/openapi-document.ts";

/** Where the generated files live, relative to the project root. */
export const OPENAPI_JSON_PATH = "openapi/openapi.json";
export const SDK_TYPES_PATH = "src/client/generated/openapi.ts";

/** The committed form of the OpenAPI document. */
export function renderOpenApiJson(): string {
  return `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
}

/** The SDK's types, generated from the document by openapi-typescript. */
export async function renderSdkTypes(openApiJson: string): Promise<string> {
  const ast = await openapiTS(JSON.parse(openApiJson));
  const banner = "// Generated from openapi/openapi.json by `npm run openapi`. Do not edit.\n\n";
  return banner + astToString(ast);
}
