import { countTasksByStatus } from "../db/queries/queue.ts";
import type { Database } from "../db/open.ts";
import type { TaskStatus } from "../db/schema.ts";
import { badRequest } from "../errors.ts";
import type { Runner } from "../runner/runner.ts";

/** The highest concurrency a server takes (as `start --concurrency` does). */
export const MAX_CONCURRENCY = 1024;

export interface QueueView {
  paused: boolean;
  concurrency: number;
  counts: Record<TaskStatus, number>;
  cpus: { total: number; used: number };
  gpus: { total: string[]; free: string[] };
}

export type QueueService = ReturnType<typeof createQueueService>;

/** The queue as a whole: whether it takes new tasks, how many run at once, and how it stands. */
export function createQueueService({ db, runner, instanceId }: { db: Database; runner: Runner; instanceId: string }) {
  async function view(): Promise<QueueView> {
    return { paused: runner.paused, concurrency: runner.concurrency, counts: await countTasksByStatus(db, instanceId), ...runner.slotUse() };
  }
  return {
    view,

    /** Running tasks go on; nothing new starts until resume, also across a restart. */
    async pause(): Promise<QueueView> {
      await runner.pause();
      return view();
    },

    async resume(): Promise<QueueView> {
      await runner.resume();
      return view();
    },

    /** Up: more start at once. Down: running tasks finish, and fewer start after them. Until the server stops. */
    async setConcurrency(concurrency: number): Promise<QueueView> {
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
        throw badRequest("invalid_field", `Invalid concurrency ${concurrency}: give a whole number from 1 to ${MAX_CONCURRENCY}.`);
      }
      runner.setConcurrency(concurrency);
      return view();
    },
  };
}
