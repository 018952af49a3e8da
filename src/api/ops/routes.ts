import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses } from "../schemas.ts";

const HealthSchema = z
  .object({
    status: z.enum(["ok", "unavailable"]),
    database: z.string().openapi({ description: '"ok", or why the database cannot be reached.' }),
  })
  .openapi("Health");

export const health = createRoute({
  method: "get",
  path: "/healthz",
  operationId: "health",
  summary: "Whether the server is alive and reaches its database",
  description: "Needs no token (for probes). 200 when the database answers, 503 when it does not.",
  tags: ["operations"],
  security: [],
  responses: {
    200: { description: "Alive, and the database answers", content: { "application/json": { schema: HealthSchema } } },
    503: { description: "Alive, but the database does not answer", content: { "application/json": { schema: HealthSchema } } },
    ...errorResponses(),
  },
});

export const metrics = createRoute({
  method: "get",
  path: "/metrics",
  operationId: "metrics",
  summary: "The server's figures, in the Prometheus text format",
  description:
    "cubqueue_tasks{status}, cubqueue_queue_depth, cubqueue_running, cubqueue_queue_paused, cubqueue_concurrency, cubqueue_cpu_slots{state}, cubqueue_gpus{state}, " +
    "cubqueue_attempts_total, cubqueue_attempt_duration_seconds (a histogram of the attempts started since the server started) and cubqueue_uploaded_bytes_total. " +
    "Needs the token when the server has one.",
  tags: ["operations"],
  responses: {
    200: { description: "The figures", content: { "text/plain": { schema: { type: "string" as const } } } },
    ...errorResponses(),
  },
});

export type HealthRoute = typeof health;
export type MetricsRoute = typeof metrics;
