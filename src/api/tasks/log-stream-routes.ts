import { createRoute, z } from "@hono/zod-openapi";
import { TaskIdParamsSchema, errorResponses } from "../schemas.ts";

const tags = ["tasks"];
const text = { "text/plain": { schema: { type: "string" as const, description: "The log's bytes, as the script wrote them." } } };
const unreadable = {
  409: {
    ...errorResponses(409)[409],
    description:
      "`log_unreadable`: log.txt is not a regular file of the task's own (the script replaced it by a FIFO, symlink, directory or a hard link to another file). `task_on_other_server`.",
  },
};

export const rawLog = createRoute({
  method: "get",
  path: "/api/task/{task_id}/log/raw",
  operationId: "downloadTaskLog",
  summary: "A task's whole log, streamed",
  description: "The log file as it is (the latest attempt's, or `attempt`'s), with no cap on lines or size; empty while the task has not run.",
  tags,
  request: {
    params: TaskIdParamsSchema,
    query: z.object({
      attempt: z.coerce.number().int().min(1).optional().openapi({ description: "Which attempt's log (1 for the first run); the latest attempt's by default." }),
    }),
  },
  responses: { 200: { description: "The log", content: text }, ...errorResponses(400, 404), ...unreadable },
});

export const followLog = createRoute({
  method: "get",
  path: "/api/task/{task_id}/log/follow",
  operationId: "followTaskLog",
  summary: "Follow a task's log as it is written",
  description:
    "The last `lines` lines of the log, then every byte the task appends, as it is written, until the task has finished (across retries: each new attempt's log follows, after a line `[cubqueue] attempt N of task …`). " +
    "A task that has not started yet is waited for. The answer is streamed; the server holds one 64 KiB buffer per follower, however large the log.",
  tags,
  request: {
    params: TaskIdParamsSchema,
    query: z.object({
      lines: z.coerce.number().int().min(0).max(100_000).default(10).openapi({ description: "How many of the last lines come first (0-100000; default 10)." }),
    }),
  },
  responses: { 200: { description: "The log as it is written, until the task finishes", content: text }, ...errorResponses(400, 404), ...unreadable },
});

export type RawLogRoute = typeof rawLog;
export type FollowLogRoute = typeof followLog;
