import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { openDatabase } from "../../src/db/open.ts";
import { listStartCandidates } from "../../src/db/queries/queue.ts";
import * as schema from "../../src/db/schema.ts";
import type { BenchContext, Metric } from "../support/context.ts";
import { ratioOf, type Row } from "../support/rows.ts";
import { nowMs, percentile } from "../support/timing.ts";

const HOME = "bench-instance";
const ROWS_PER_INSERT = 500;

/** What scheduling costs: choosing the next task with a huge queue, against a tiny one. */
export const scheduling: Metric = {
  name: "scheduling: choosing the next task",
  timeLimitMs: { full: 150_000, quick: 40_000 },
  run: claimCost,
};

/**
 * The scheduler's query (listStartCandidates) against a database holding `queued`
 * tasks that wait for a dependency at a higher priority than the few that may start:
 * the worst order for a scan. Timed in this process, on the libSQL file itself.
 */
async function claimCost(context: BenchContext): Promise<Row[]> {
  const queued = context.sizes.databaseTasks;
  const samples = context.sizes.databaseSamples;
  const time = async (count: number) => {
    const { db, close } = await openDatabase({ file: join(context.dir, `queue-${count}.db`) });
    try {
      context.log(`seeding ${count.toLocaleString("en-US")} queued tasks`);
      await seedQueue(db, count);
      const runs: number[] = [];
      for (let i = 0; i < samples + 5; i++) {
        const start = nowMs();
        const candidates = await listStartCandidates(db, HOME, new Date(), 16);
        runs.push(nowMs() - start);
        if (candidates.length !== 8) throw new Error(`expected the 8 tasks that may start, got ${candidates.length}`);
      }
      // The first few pay for warming caches.
      return percentile(runs.slice(5), 50);
    } finally {
      close();
    }
  };
  const small = await time(10);
  const large = await time(queued);
  const label = queued.toLocaleString("en-US");
  return [
    {
      metric: `choose the next tasks, ${label} queued, p50`,
      value: large,
      unit: "ms",
      reference: "the same with 10 queued",
      referenceValue: small,
      ratio: ratioOf(large, small, "lower-is-better"),
      target: "≤ 2× the cost with 10 queued",
      met: large <= 2 * small,
      notes: `${samples} runs of the scheduler's query (first 16 candidates); the queued tasks wait for a held task at priority 10, ahead of 8 that may start at priority 0`,
    },
  ];
}

/** One held task, `count` queued behind it (higher priority, blocked), and 8 that may start. */
async function seedQueue(db: Awaited<ReturnType<typeof openDatabase>>["db"], count: number): Promise<void> {
  const held = randomUUID();
  const base = { scriptName: "noop", scriptFilename: "noop.sh", argFile: "{}", createdAt: new Date(), home: HOME };
  await db.insert(schema.tasks).values({ ...base, id: held, status: schema.TaskStatus.held });
  for (let first = 0; first < count; first += ROWS_PER_INSERT) {
    const ids = Array.from({ length: Math.min(ROWS_PER_INSERT, count - first) }, () => randomUUID());
    await db.batch([
      db.insert(schema.tasks).values(ids.map((id) => ({ ...base, id, status: schema.TaskStatus.queued, priority: 10, blocked: true }))),
      db.insert(schema.taskDependencies).values(ids.map((id) => ({ taskId: id, dependsOn: held, kind: schema.DependencyKind.afterok }))),
    ]);
  }
  await db.insert(schema.tasks).values(Array.from({ length: 8 }, () => ({ ...base, id: randomUUID(), status: schema.TaskStatus.queued })));
}
