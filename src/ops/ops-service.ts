import { countAttempts, countTasksByStatus, pingDatabase } from "../db/queries/queue.ts";
import type { Database } from "../db/open.ts";
import type { Runner } from "../runner/runner.ts";
import { renderMetrics, type MetricsCollector } from "./metrics.ts";

export type OpsService = ReturnType<typeof createOpsService>;

/** How a server stands, for its operators: alive and able to reach its database, and its figures. */
export function createOpsService({ db, runner, instanceId, collector }: { db: Database; runner: Runner; instanceId: string; collector: MetricsCollector }) {
  return {
    /** The server answers; `database` says whether its database does too. */
    async health(): Promise<{ status: "ok" | "unavailable"; database: string }> {
      try {
        await pingDatabase(db);
        return { status: "ok", database: "ok" };
      } catch (error) {
        return { status: "unavailable", database: `unreachable: ${(error as Error).message}` };
      }
    },

    async metrics(): Promise<string> {
      const [counts, attempts] = await Promise.all([countTasksByStatus(db, instanceId), countAttempts(db, instanceId)]);
      const slots = runner.slotUse();
      return renderMetrics(
        {
          counts,
          paused: runner.paused,
          concurrency: runner.concurrency,
          cpus: slots.cpus,
          gpus: { total: slots.gpus.total.length, used: slots.gpus.total.length - slots.gpus.free.length },
          attempts,
        },
        collector.snapshot(),
      );
    },
  };
}
