import { sh } from "./shell.ts";

/** What the rows of tasks through 2 slots are compared with: as `reference` names it in a row. */
export const SPAWN_LIMIT = "`seq N | xargs -P2 -n1 sh -c true`";

/**
 * The machine's own limit for running `count` trivial processes two at a time, in
 * processes per second: what a runner at concurrency 2 could do at best.
 */
export async function spawnLimitRate(count: number): Promise<number> {
  const xargs = await sh(`seq ${count} | xargs -P2 -n1 sh -c true`, { timeoutMs: 60_000 });
  return count / (xargs.ms / 1000);
}
