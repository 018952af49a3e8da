import { createRouter } from "./api/create-router.ts";
import { createErrorHandler, notFoundHandler } from "./api/error-handler.ts";
import { declaredSizeLimit } from "./api/declared-size-limit.ts";
import { browserGuard } from "./api/browser-guard.ts";
import { createDocsRouter } from "./api/docs/docs-page.ts";
import { createDashboardRouter } from "./dashboard/dashboard-router.ts";
import { requireToken } from "./api/require-token.ts";
import { securityHeaders } from "./api/security-headers.ts";
import { createScriptRouter } from "./api/scripts/index.ts";
import { createEventRouter } from "./api/events/index.ts";
import { createOpsRouter } from "./api/ops/index.ts";
import { createQueueRouter } from "./api/queue/index.ts";
import { createTaskRouter } from "./api/tasks/index.ts";
import { createUploadRouter } from "./api/uploads/index.ts";
import type { BlobStore } from "./store/blob-store.ts";
import type { UploadSessions } from "./uploads/upload-sessions.ts";
import type { ScriptService } from "./scripts/script-service.ts";
import type { EventHub } from "./events/event-hub.ts";
import type { OpsService } from "./ops/ops-service.ts";
import type { TaskLabelLookup } from "./events/task-labels.ts";
import type { QueueService } from "./tasks/queue-service.ts";
import type { TaskService } from "./tasks/task-service.ts";
import { API_INFO } from "./api-info.ts";

export interface AppDeps {
  scripts: ScriptService;
  tasks: TaskService;
  queue: QueueService;
  /** Resumable uploads, and the store of files by content they fill. */
  uploads: UploadSessions;
  blobs: Pick<BlobStore, "lookup">;
  /** The task events the event stream sends, and the labels its filters read. */
  events: { hub: EventHub; labels: TaskLabelLookup };
  /** /healthz and /metrics. */
  ops: OpsService;
  /** Where unexpected errors are reported (the answer to the client stays generic). */
  logError?: (error: unknown) => void;
  /** When set, every /api request must carry it as a bearer token. */
  token?: string;
  /** The --host the server listens on: besides loopback names, the Host a server without a token answers to. */
  host?: string;
  /** --max-upload-size: a submission declaring a larger body is refused before it is read. */
  maxUploadSize?: number;
}

/**
 * The top of the OpenAPI document. A token may be needed (bearerAuth) or not ({}).
 * The server is "/": the document describes whichever server serves it, so /docs
 * sends its requests to that server whatever its address.
 */
export const OPENAPI_CONFIG = {
  openapi: "3.1.0",
  info: { ...API_INFO, license: { name: "MIT", identifier: "MIT" } },
  servers: [{ url: "/", description: "The CubQueue server that serves this document (at /openapi.json)" }],
  security: [{ bearerAuth: [] }, {}] as Array<Record<string, string[]>>,
};

/** Builds the HTTP app from its services. It reads no environment and opens nothing itself. */
export function createApp({ scripts, tasks, queue, uploads, blobs, events, ops, logError = console.error, token, host = "127.0.0.1", maxUploadSize }: AppDeps) {
  const app = createRouter();
  app.onError(createErrorHandler(logError));
  app.notFound(notFoundHandler);
  app.use("*", securityHeaders());
  // Before the token: a foreign page or Host is refused whether or not the server has one.
  app.use("*", browserGuard({ host, tokenRequired: token !== undefined }));
  if (token !== undefined) {
    app.use("/api/*", requireToken(token));
    app.use("/metrics", requireToken(token));
  }
  for (const uploads of ["/api/task", "/api/task/array"]) app.use(uploads, declaredSizeLimit(maxUploadSize));
  // The document says a token may be needed: whether it is depends on how the server was started.
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "Required when the server was started with --token (or CUBQUEUE_TOKEN).",
  });
  app.route("/", createScriptRouter(scripts));
  app.route("/", createTaskRouter(tasks));
  app.route("/", createQueueRouter(queue));
  app.route("/", createUploadRouter({ uploads, blobs, maxUploadSize }));
  app.route("/", createEventRouter(events));
  app.route("/", createOpsRouter(ops));
  app.doc31("/openapi.json", OPENAPI_CONFIG);
  // Swagger UI, served from the package: the page works offline.
  app.route("/", createDocsRouter());
  // The dashboard, at / (its files under /ui/).
  app.route("/", createDashboardRouter());
  return app;
}

export type App = ReturnType<typeof createApp>;
