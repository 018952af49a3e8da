import type { QueueService } from "../../tasks/queue-service.ts";
import type { AppRouteHandler } from "../types.ts";
import type { GetRoute, PauseRoute, ResumeRoute, UpdateRoute } from "./routes.ts";

export function createQueueHandlers(queue: QueueService) {
  const get: AppRouteHandler<GetRoute> = async (c) => c.json(await queue.view(), 200);
  const pause: AppRouteHandler<PauseRoute> = async (c) => c.json(await queue.pause(), 200);
  const resume: AppRouteHandler<ResumeRoute> = async (c) => c.json(await queue.resume(), 200);
  const update: AppRouteHandler<UpdateRoute> = async (c) => c.json(await queue.setConcurrency(c.req.valid("json").concurrency), 200);
  return { get, pause, resume, update };
}
