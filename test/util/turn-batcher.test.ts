import { setImmediate } from "node:timers";
import { expect, test } from "vitest";
import { createTurnBatcher } from "../../src/util/turn-batcher.ts";

test("calls made in one turn are carried out together, each settled on its own; a later turn's make a new batch", async () => {
  const batches: number[][] = [];
  const call = createTurnBatcher(async (items: number[]) => {
    batches.push(items);
    return items.map((item): PromiseSettledResult<number> => (item < 0 ? { status: "rejected", reason: new Error(`refused ${item}`) } : { status: "fulfilled", value: item * 10 }));
  });

  const first = [call(1), call(-2), call(3)];
  expect(await Promise.allSettled(first)).toEqual([
    { status: "fulfilled", value: 10 },
    { status: "rejected", reason: new Error("refused -2") },
    { status: "fulfilled", value: 30 },
  ]);
  await new Promise((resolve) => setImmediate(resolve));
  expect(await call(4)).toBe(40);
  expect(batches).toEqual([[1, -2, 3], [4]]);
});

test("a batch that fails whole rejects every call in it, and the next batch is carried out all the same", async () => {
  let fail = true;
  const call = createTurnBatcher(async (items: string[]) => {
    if (fail) throw new Error("disk full");
    return items.map((item): PromiseSettledResult<string> => ({ status: "fulfilled", value: item.toUpperCase() }));
  });
  await expect(Promise.all([call("a"), call("b")])).rejects.toThrow("disk full");
  fail = false;
  expect(await Promise.all([call("c"), call("d")])).toEqual(["C", "D"]);
});
