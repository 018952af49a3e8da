import { join } from "node:path";
import type { Metric } from "../support/context.ts";
import type { Row } from "../support/rows.ts";
import { registerNoop } from "../support/scripts.ts";
import { dashboardLoadTimes } from "../support/page-load.ts";
import { seedFinishedTasks } from "../support/seed.ts";
import { nowMs, percentile } from "../support/timing.ts";

/** list (first page) and status against a database holding many tasks, over HTTP. */
export const largeDatabase: Metric = {
  name: "list and status with many tasks",
  timeLimitMs: { full: 120_000, quick: 45_000 },
  async run(context) {
    const { databaseTasks: count, databaseSamples: samples } = context.sizes;
    const baseDir = join(context.dir, "base");
    // A first start creates and migrates the database; the seeding then writes into it.
    const first = await context.startServer({ baseDir });
    await registerNoop(first.url, context.dir);
    await first.stop();
    context.log(`seeding ${count.toLocaleString("en-US")} tasks`);
    const seedStart = nowMs();
    const ids = await seedFinishedTasks(join(baseDir, "cubqueue.db"), "noop", count);
    const seedSeconds = (nowMs() - seedStart) / 1000;

    const server = await context.startServer({ baseDir });
    const time = async (path: string) => {
      const start = nowMs();
      const response = await fetch(`${server.url}${path}`);
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status}`);
      return nowMs() - start;
    };
    // One of each first: the first request pays for compiling the handlers.
    await time("/api/task");
    const list: number[] = [];
    for (let i = 0; i < samples; i++) list.push(await time("/api/task"));
    const status: number[] = [];
    for (let i = 0; i < samples; i++) status.push(await time(`/api/task/${ids[Math.floor(Math.random() * ids.length)]}`));

    const label = count.toLocaleString("en-US");
    const seeded = `${label} finished tasks (with attempts) inserted straight into the libSQL file through the drizzle schema in ${seedSeconds.toFixed(1)} s`;
    const row = (metric: string, samplesMs: number[], p: number, limit: number | null, notes: string): Row => {
      const value = percentile(samplesMs, p);
      return {
        metric,
        value,
        unit: "ms",
        reference: "— (absolute)",
        referenceValue: null,
        ratio: null,
        target: limit === null ? "—" : `p50 ≤ ${limit} ms`,
        met: limit === null ? null : value <= limit,
        notes,
      };
    };
    const pageLoads = await dashboardLoadTimes(server.url, context.sizes.pageLoads);
    const listNote = `GET /api/task (first page, 100 tasks, ${Math.round((await firstPageBytes(server.url)) / 1000)} kB of JSON), ${samples} requests; ${seeded}`;
    const statusNote = `GET /api/task/{id} of random tasks, ${samples} requests`;
    return [
      row(`list first page, ${label} tasks, p50`, list, 50, 20, listNote),
      row(`list first page, ${label} tasks, p95`, list, 95, null, listNote),
      row(`status, ${label} tasks, p50`, status, 50, 5, statusNote),
      row(`status, ${label} tasks, p95`, status, 95, null, statusNote),
      pageLoads
        ? row(`dashboard load, ${label} tasks, p50`, pageLoads, 50, null, `Chromium: navigation to / until the first rows show (page, modules, /api/script, /api/queue, /api/task), ${pageLoads.length} loads in fresh tabs`)
        : { ...row(`dashboard load, ${label} tasks, p50`, [], 50, null, ""), value: null, skipped: "no Chromium at /usr/bin/chromium" },
    ];
  },
};

async function firstPageBytes(url: string): Promise<number> {
  return (await (await fetch(`${url}/api/task`)).arrayBuffer()).byteLength;
}
