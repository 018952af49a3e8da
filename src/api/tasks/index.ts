import type { TaskService } from "../../tasks/task-service.ts";
import { createRouter } from "../create-router.ts";
import { createTaskHandlers } from "./handlers.ts";
import { createLogStreamHandlers } from "./log-stream-handlers.ts";
import * as logStreams from "./log-stream-routes.ts";
import * as routes from "./routes.ts";
import { createSteeringHandlers } from "./steering-handlers.ts";
import * as steering from "./steering-routes.ts";

export function createTaskRouter(tasks: TaskService) {
  const handlers = createTaskHandlers(tasks);
  const steer = createSteeringHandlers(tasks);
  const logs = createLogStreamHandlers(tasks);
  return createRouter()
    .openapi(routes.submit, handlers.submit)
    // Before /api/task/{task_id} would take "array" for an id.
    .openapi(steering.submitArray, steer.submitArray)
    .openapi(steering.edit, steer.edit)
    .openapi(steering.hold, steer.hold)
    .openapi(steering.release, steer.release)
    .openapi(steering.suspend, steer.suspend)
    .openapi(steering.resume, steer.resume)
    .openapi(routes.restart, handlers.restart)
    .openapi(routes.flush, handlers.flush)
    .openapi(routes.remove, handlers.remove)
    .openapi(routes.list, handlers.list)
    .openapi(routes.getOne, handlers.getOne)
    .openapi(routes.log, handlers.log)
    .openapi(logStreams.rawLog, logs.raw)
    .openapi(logStreams.followLog, logs.follow)
    .openapi(routes.metadata, handlers.metadata)
    .openapi(routes.result, handlers.result)
    .openapi(routes.cancel, handlers.cancel);
}
