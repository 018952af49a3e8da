import type { BlobStore } from "../../store/blob-store.ts";
import type { UploadSessions } from "../../uploads/upload-sessions.ts";
import { createRouter } from "../create-router.ts";
import { errorResponses } from "../schemas.ts";
import { createUploadHandlers, tusVersion } from "./handlers.ts";
import * as routes from "./routes.ts";

export interface UploadRouterDeps {
  uploads: UploadSessions;
  blobs: Pick<BlobStore, "lookup">;
  maxUploadSize?: number;
}

export function createUploadRouter({ uploads, blobs, maxUploadSize }: UploadRouterDeps) {
  const handlers = createUploadHandlers(uploads, blobs, maxUploadSize);
  const router = createRouter();
  router.use("/api/upload", tusVersion);
  router.use("/api/upload/*", tusVersion);
  // HEAD is answered by the GET routes (without a body); the document names it too.
  for (const [path, params, operationId, summary, errors] of [
    ["/api/upload/{upload_id}", routes.UploadIdParamsSchema, "uploadOffset", "Where a resumable upload stands: Upload-Offset (tus)", errorResponses(404, 410, 412)],
    ["/api/blob/{sha256}", routes.Sha256ParamsSchema, "hasBlob", "Whether the server stores this content: 200 or 404", errorResponses(400, 404)],
  ] as const) {
    router.openAPIRegistry.registerPath({
      method: "head",
      path,
      operationId,
      tags: ["uploads"],
      summary,
      request: { params },
      responses: { 200: { description: "As the GET, without a body" }, ...errors },
    });
  }
  return router
    .openapi(routes.options, handlers.options)
    .openapi(routes.create, handlers.create)
    .openapi(routes.status, handlers.status)
    .openapi(routes.append, handlers.append)
    .openapi(routes.terminate, handlers.terminate)
    .openapi(routes.blob, handlers.blob);
}
