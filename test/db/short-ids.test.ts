import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { openDatabase, type Database } from "../../src/db/open.ts";
import { shortIds } from "../../src/db/queries/short-ids.ts";
import { TaskStatus, tasks } from "../../src/db/schema.ts";

let dir: string;
let opened: { db: Database; close: () => void };
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "cubqueue-short-ids-"));
  opened = await openDatabase({ file: join(dir, "cubqueue.db") });
});
afterEach(async () => {
  opened.close();
  await rm(dir, { recursive: true, force: true });
});

const addTasks = (ids: string[]) =>
  opened.db.insert(tasks).values(ids.map((id) => ({ id, scriptName: "s", scriptFilename: "s.sh", argFile: "{}", status: TaskStatus.succeeded, createdAt: new Date(), attemptCount: 0 })));

test("a short id is one character longer than what its id shares with its neighbours, and at least 8, asked one at a time or many", async () => {
  const close = ["3f9a1c2b-7e41-4d2a-9b1e-000000000001", "3f9a1c2b-7e41-4d2a-9b1e-000000000002", "3f9a1c2b-7e9f-4000-8000-000000000000"];
  const lone = ["0b7c5e1a-1111-4111-8111-111111111111", "c0ffee00-2222-4222-8222-222222222222", "3f9a1c2a-0000-4000-8000-000000000000"];
  // Many others around them, as at scale: none shares 8 characters with the ones checked.
  const others = Array.from({ length: 2000 }, (_, i) => `${(0x50000000 + i * 0x1000).toString(16)}-0000-4000-8000-000000000000`);
  await addTasks([...close, ...lone, ...others]);

  const one = async (id: string) => (await shortIds(opened.db, [id], 8)).get(id);
  expect(await one(close[0]!)).toBe("3f9a1c2b-7e41-4d2a-9b1e-000000000001");
  expect(await one(close[2]!)).toBe("3f9a1c2b-7e9");
  expect(await one(lone[0]!)).toBe("0b7c5e1a");
  // It shares 7 characters with its neighbour: 8 are enough.
  expect(await one(lone[2]!)).toBe("3f9a1c2a");
  const many = await shortIds(opened.db, [...close, ...lone], 8);
  expect([...close, ...lone].map((id) => many.get(id))).toEqual([
    "3f9a1c2b-7e41-4d2a-9b1e-000000000001",
    "3f9a1c2b-7e41-4d2a-9b1e-000000000002",
    "3f9a1c2b-7e9",
    "0b7c5e1a",
    "c0ffee00",
    "3f9a1c2a",
  ]);
});
