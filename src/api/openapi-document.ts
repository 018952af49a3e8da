import { OPENAPI_CONFIG, createApp, type AppDeps } from "../app.ts";

/**
 * The OpenAPI document, built from the route definitions alone. The services
 * are never called while the document is built, so none are created.
 */
export function buildOpenApiDocument() {
  const notAvailable = new Proxy({}, {
    get() {
      throw new Error("Services are not available while generating the OpenAPI document");
    },
  });
  const app = createApp({ scripts: notAvailable, tasks: notAvailable } as AppDeps);
  return app.getOpenAPI31Document(OPENAPI_CONFIG);
}
