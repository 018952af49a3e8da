import type { QueueService } from "../../tasks/queue-service.ts";
import { createRouter } from "../create-router.ts";
import { createQueueHandlers } from "./handlers.ts";
import * as routes from "./routes.ts";

export function createQueueRouter(queue: QueueService) {
  const handlers = createQueueHandlers(queue);
  return createRouter().openapi(routes.get, handlers.get).openapi(routes.pause, handlers.pause).openapi(routes.resume, handlers.resume).openapi(routes.update, handlers.update);
}
