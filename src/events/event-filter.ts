import type { TaskEvent } from "./event-hub.ts";
import type { TaskLabelLookup } from "./task-labels.ts";

/** Which events a client wants: all of them, or those of one task, one script, some tags. */
export interface EventFilter {
  taskId?: string;
  script?: string;
  /** Every one of these key=value pairs. */
  tags?: Readonly<Record<string, string>>;
}

/** Whether an event passes the filter; the task's labels are read only when the filter needs them. */
export async function matches(event: TaskEvent, filter: EventFilter, labels: TaskLabelLookup): Promise<boolean> {
  if (filter.taskId !== undefined && event.taskId !== filter.taskId) return false;
  const tags = Object.entries(filter.tags ?? {});
  if (filter.script === undefined && tags.length === 0) return true;
  const found = await labels.of(event.taskId);
  if (!found) return false;
  if (filter.script !== undefined && found.scriptName !== filter.script) return false;
  return tags.every(([key, value]) => found.tags[key] === value);
}
