import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses } from "../schemas.ts";

export const TaskEventSchema = z
  .object({
    id: z.string().openapi({ description: "The event's place in the stream (also its SSE id): send it back as Last-Event-ID." }),
    type: z.enum(["submitted", "transition", "progress"]),
    task_id: z.string().openapi({ format: "uuid" }),
    attempt: z.number().int().openapi({ description: "The attempt it concerns (0 for a task that never ran)." }),
    at: z.string().openapi({ format: "date-time" }),
    status: z.string().optional().openapi({ description: "submitted: the state it was made in (queued, or held)." }),
    from: z.string().optional().openapi({ description: "transition: the state it left." }),
    to: z.string().optional().openapi({ description: 'transition: the state it entered ("deleted" when the task was deleted).' }),
    progress: z.number().optional().openapi({ description: "progress: how far it says it is, 0-100." }),
    message: z.string().nullable().optional().openapi({ description: "progress: what it says it is doing." }),
  })
  .openapi("TaskEvent");

export const events = createRoute({
  method: "get",
  path: "/api/events",
  operationId: "streamEvents",
  summary: "Every task event as it happens (Server-Sent Events)",
  description:
    "A stream of `submitted` events (a task was made), `transition` events (a task's state changed, once committed) and `progress` events " +
    "(a running task reported how far it got), " +
    "each with an id. A client that reconnects with the header `Last-Event-ID` (or `last_event_id`) gets what it missed from the last 10,000 events; " +
    "one that missed more, or reconnects to a restarted server, first gets a `gap` event and should read the state of what it watches again. " +
    "A comment line every 15 s keeps proxies from closing an idle stream.",
  tags: ["events"],
  request: {
    query: z.object({
      task_id: z.string().uuid().optional().openapi({ description: "Only this task's events." }),
      script: z.string().min(1).optional().openapi({ description: "Only events of tasks of this script." }),
      tag: z
        .union([z.string(), z.array(z.string())])
        .optional()
        .openapi({ description: "Only events of tasks with this tag, as key=value; repeat for several (all must match)." }),
      last_event_id: z.string().optional().openapi({ description: "The same as the Last-Event-ID header, for clients that cannot send headers." }),
    }),
  },
  responses: {
    200: {
      description: "The stream: `event: submitted|transition|progress|gap`, `id:`, `data:` a TaskEvent (a gap: `{\"reason\"}`)",
      content: { "text/event-stream": { schema: TaskEventSchema } },
    },
    ...errorResponses(400),
  },
});

export type EventsRoute = typeof events;
