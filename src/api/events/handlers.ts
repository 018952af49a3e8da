import { streamSSE, type SSEStreamingApi } from "hono/streaming";
import { badRequest } from "../../errors.ts";
import { matches, type EventFilter } from "../../events/event-filter.ts";
import type { EventHub, TaskEvent } from "../../events/event-hub.ts";
import type { TaskLabelLookup } from "../../events/task-labels.ts";
import type { AppRouteHandler } from "../types.ts";
import type { EventsRoute } from "./routes.ts";

/** A comment line this often keeps proxies (and the client) from taking a quiet stream for a dead one. */
const HEARTBEAT_MS = 15_000;
/** Events waiting for a slow client: past this many it is told it missed some (a gap), and they are dropped. */
const MAX_PENDING = 10_000;

export function createEventHandlers(deps: { hub: EventHub; labels: TaskLabelLookup }) {
  const stream: AppRouteHandler<EventsRoute> = async (c) => {
    const { hub, labels } = deps;
    const query = c.req.valid("query");
    const filter: EventFilter = { taskId: query.task_id, script: query.script, tags: parseTags(query.tag) };
    const lastId = c.req.header("last-event-id") ?? query.last_event_id;
    return streamSSE(c, async (sse) => {
      const pending: Array<TaskEvent | { gap: string }> = [];
      let wake: (() => void) | undefined;
      const push = (item: TaskEvent | { gap: string }) => {
        if (pending.length >= MAX_PENDING) {
          pending.length = 0;
          pending.push({ gap: "the client read more slowly than events came; some were dropped" });
        } else pending.push(item);
        wake?.();
      };
      const { replay, unsubscribe } = hub.subscribe(lastId, push);
      if (replay.kind === "gap") pending.unshift({ gap: replay.reason });
      else pending.unshift(...replay.events);
      const heartbeat = setInterval(() => void sse.write(": keepalive\n\n"), HEARTBEAT_MS);
      let open = true;
      sse.onAbort(() => {
        open = false;
        wake?.();
      });
      try {
        while (open) {
          const item = pending.shift();
          if (item === undefined) {
            await new Promise<void>((resolve) => (wake = resolve));
            wake = undefined;
            continue;
          }
          await send(sse, item, filter, labels);
        }
      } finally {
        clearInterval(heartbeat);
        unsubscribe();
      }
    }) as never;
  };
  return { stream };
}

async function send(sse: SSEStreamingApi, item: TaskEvent | { gap: string }, filter: EventFilter, labels: TaskLabelLookup): Promise<void> {
  if ("gap" in item) return sse.writeSSE({ event: "gap", data: JSON.stringify({ reason: item.gap }) });
  if (!(await matches(item, filter, labels))) return;
  await sse.writeSSE({ event: item.type, id: item.id, data: JSON.stringify(eventView(item)) });
}

/** An event as the API shows it. */
export function eventView(event: TaskEvent) {
  const common = { id: event.id, type: event.type, task_id: event.taskId, attempt: event.attempt, at: event.at.toISOString() };
  if (event.type === "submitted") return { ...common, status: event.status };
  if (event.type === "transition") return { ...common, from: event.from, to: event.to };
  return { ...common, progress: event.progress, message: event.message };
}

/** `tag` query values, key=value each. */
function parseTags(value: string | string[] | undefined): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const pair of value === undefined ? [] : Array.isArray(value) ? value : [value]) {
    const equals = pair.indexOf("=");
    if (equals <= 0) throw badRequest("invalid_field", `Invalid tag "${pair}": give key=value.`);
    tags[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  return tags;
}
