import { createRoute, z } from "@hono/zod-openapi";
import { MAX_CONCURRENCY } from "../../tasks/queue-service.ts";
import { QueueSchema, errorResponses } from "../schemas.ts";

const tags = ["queue"];
const queueJson = { "application/json": { schema: QueueSchema } };

export const get = createRoute({
  method: "get",
  path: "/api/queue",
  operationId: "getQueue",
  summary: "The queue: paused or not, concurrency, tasks by state, slots in use",
  tags,
  responses: { 200: { description: "The queue", content: queueJson }, ...errorResponses() },
});

export const pause = createRoute({
  method: "post",
  path: "/api/queue/pause",
  operationId: "pauseQueue",
  summary: "Pause the queue",
  description: "Running tasks go on; no queued task starts until resume. Kept across restarts of the server.",
  tags,
  responses: { 200: { description: "The queue, paused", content: queueJson }, ...errorResponses() },
});

export const resume = createRoute({
  method: "post",
  path: "/api/queue/resume",
  operationId: "resumeQueue",
  summary: "Resume the queue",
  tags,
  responses: { 200: { description: "The queue, taking tasks again", content: queueJson }, ...errorResponses() },
});

export const update = createRoute({
  method: "patch",
  path: "/api/queue",
  operationId: "updateQueue",
  summary: "Change how many tasks run at once",
  description: "Up: more start at once. Down: running tasks finish, and fewer start after them. Until the server stops; the next start uses --concurrency.",
  tags,
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z.object({
            concurrency: z.number().int().min(1).max(MAX_CONCURRENCY).openapi({ description: `How many tasks run at once (1-${MAX_CONCURRENCY}).` }),
          }),
        },
      },
    },
  },
  responses: { 200: { description: "The queue", content: queueJson }, ...errorResponses(400) },
});

export type GetRoute = typeof get;
export type PauseRoute = typeof pause;
export type ResumeRoute = typeof resume;
export type UpdateRoute = typeof update;
