import { FINISHED, epochMs, listTasks } from "./api.ts";
import { pollUntil } from "./timing.ts";

/**
 * Waits until `count` tasks have finished, asking GET /api/queue (one count by state)
 * every 100 ms: cheap and seldom, so the requests add little to the server CPU
 * measured meanwhile, and the timing comes from finished_at, not from this poll.
 */
export async function waitUntilDrained(url: string, count: number, timeoutMs: number): Promise<void> {
  await pollUntil(
    `${count} tasks to finish`,
    async () => {
      const response = await fetch(`${url}/api/queue`);
      if (!response.ok) throw new Error(`GET /api/queue: HTTP ${response.status}`);
      const { counts } = (await response.json()) as { counts: Partial<Record<string, number>> };
      const finished = [...FINISHED].reduce((sum, status) => sum + (counts[status] ?? 0), 0);
      return finished >= count && !counts.queued && !counts.running ? true : undefined;
    },
    timeoutMs,
    100,
  );
}

/** The latest finished_at (ms since the epoch) of the server's tasks, checking that all `count` succeeded. */
export async function lastFinishedAt(url: string, count: number): Promise<number> {
  let lastFinish = 0;
  let succeeded = 0;
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<typeof listTasks>> = await listTasks(url, { limit: 1000, ...(cursor ? { cursor } : {}) });
    for (const task of page.tasks) {
      if (!FINISHED.has(task.status)) throw new Error(`task ${task.task_id} is still ${task.status}`);
      if (task.status === "succeeded") succeeded += 1;
      lastFinish = Math.max(lastFinish, epochMs(task.finished_at));
    }
    cursor = page.next_cursor;
  } while (cursor);
  if (succeeded !== count) throw new Error(`${succeeded} of ${count} tasks succeeded`);
  return lastFinish;
}
