import { eq } from "drizzle-orm";
import type { Database } from "../db/open.ts";
import { taskTags, tasks } from "../db/schema.ts";

/** What a task is found by in the event stream: its script, name and tags. */
export interface TaskLabels {
  scriptName: string;
  name: string | null;
  tags: Readonly<Record<string, string>>;
}

/** How many tasks' labels are kept; they change only by an edit, so a few stale ones matter little. */
const CACHED = 10_000;

export type TaskLabelLookup = ReturnType<typeof createTaskLabels>;

/**
 * The labels of tasks, read when a filtered event stream first needs them and
 * kept (most recent first) so that a busy stream reads each task once. A task
 * that is gone (deleted) has none.
 */
export function createTaskLabels(db: Database) {
  const cache = new Map<string, TaskLabels | null>();
  return {
    async of(taskId: string): Promise<TaskLabels | null> {
      if (cache.has(taskId)) {
        const known = cache.get(taskId)!;
        cache.delete(taskId);
        cache.set(taskId, known);
        return known;
      }
      const [row] = await db.select({ scriptName: tasks.scriptName, name: tasks.name }).from(tasks).where(eq(tasks.id, taskId));
      const labels = row
        ? { ...row, tags: Object.fromEntries((await db.select().from(taskTags).where(eq(taskTags.taskId, taskId))).map((tag) => [tag.key, tag.value])) }
        : null;
      // A task not found may be one whose rows are not visible yet; it is asked for again next time.
      if (labels) {
        cache.set(taskId, labels);
        if (cache.size > CACHED) cache.delete(cache.keys().next().value!);
      }
      return labels;
    },
    /** Forgets a task's labels (an edit changed them). */
    forget(taskId: string): void {
      cache.delete(taskId);
    },
  };
}
