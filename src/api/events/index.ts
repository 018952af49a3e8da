import type { EventHub } from "../../events/event-hub.ts";
import type { TaskLabelLookup } from "../../events/task-labels.ts";
import { createRouter } from "../create-router.ts";
import { createEventHandlers } from "./handlers.ts";
import * as routes from "./routes.ts";

export function createEventRouter(deps: { hub: EventHub; labels: TaskLabelLookup }) {
  return createRouter().openapi(routes.events, createEventHandlers(deps).stream);
}
