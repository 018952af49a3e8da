import type { TaskService } from "../../tasks/task-service.ts";
import type { AppRouteHandler } from "../types.ts";
import type { FollowLogRoute, RawLogRoute } from "./log-stream-routes.ts";

/** A log is text as the script wrote it; a browser must never take it for anything else (see security-headers.ts). */
const LOG_HEADERS = { "Content-Type": "text/plain; charset=utf-8" };

export function createLogStreamHandlers(tasks: TaskService) {
  const raw: AppRouteHandler<RawLogRoute> = async (c) =>
    c.body(await tasks.rawLog(c.req.valid("param").task_id, c.req.valid("query").attempt), 200, LOG_HEADERS) as never;

  const follow: AppRouteHandler<FollowLogRoute> = async (c) =>
    c.body(await tasks.followLog(c.req.valid("param").task_id, c.req.valid("query").lines), 200, LOG_HEADERS) as never;

  return { raw, follow };
}
