import type { TaskService } from "../../tasks/task-service.ts";
import { createRouter } from "../create-router.ts";
import { createTaskHandlers } from "./handlers.ts";
import * as routes from "./routes.ts";

export function createTaskRouter(tasks: TaskService) {
  const handlers = createTaskHandlers(tasks);
  return createRouter()
    .openapi(routes.submit, handlers.submit)
    .openapi(routes.restart, handlers.restart)
    .openapi(routes.flush, handlers.flush)
    .openapi(routes.remove, handlers.remove)
    .openapi(routes.list, handlers.list)
    .openapi(routes.getOne, handlers.getOne)
    .openapi(routes.log, handlers.log)
    .openapi(routes.metadata, handlers.metadata)
    .openapi(routes.result, handlers.result)
    .openapi(routes.cancel, handlers.cancel);
}
