import { swaggerUI } from "@hono/swagger-ui";
import { createRouter } from "./api/create-router.ts";
import { createErrorHandler, notFoundHandler } from "./api/error-handler.ts";
import { createScriptRouter } from "./api/scripts/index.ts";
import { createTaskRouter } from "./api/tasks/index.ts";
import type { ScriptService } from "./scripts/script-service.ts";
import type { TaskService } from "./tasks/task-service.ts";

export interface AppDeps {
  scripts: ScriptService;
  tasks: TaskService;
  /** Where unexpected errors are reported (the answer to the client stays generic). */
  logError?: (error: unknown) => void;
}

export const API_INFO = {
  title: "CubQueue",
  version: "0.1.0",
  description:
    "Runs registered scripts as background tasks and keeps what each produces: its log, its intermediate files (metadata) and its results (output).",
};

/** Builds the HTTP app from its services. It reads no environment and opens nothing itself. */
export function createApp({ scripts, tasks, logError = console.error }: AppDeps) {
  const app = createRouter();
  app.onError(createErrorHandler(logError));
  app.notFound(notFoundHandler);
  app.route("/", createScriptRouter(scripts));
  app.route("/", createTaskRouter(tasks));
  app.doc31("/openapi.json", { openapi: "3.1.0", info: API_INFO });
  app.get("/docs", swaggerUI({ url: "/openapi.json", title: "CubQueue API" }));
  app.get("/", (c) => c.redirect("/docs"));
  return app;
}

export type App = ReturnType<typeof createApp>;
