import { randomUUID } from "node:crypto";
import { pathToFileURL } from "node:url";
import { createClient } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import * as schema from "../../src/db/schema.ts";

const ROWS_PER_INSERT = 500;

/**
 * Adds `count` finished tasks of `scriptName` (each with its attempt) straight into
 * a database the server has already created and migrated, through the project's
 * drizzle schema, in batched multi-row inserts (one transaction per batch).
 * Resolves to the ids, oldest first.
 */
export async function seedFinishedTasks(databasePath: string, scriptName: string, count: number): Promise<string[]> {
  const client = createClient({ url: pathToFileURL(databasePath).href });
  const db = drizzle(client, { schema });
  const ids: string[] = [];
  const start = Date.now() - count * 1000;
  try {
    for (let first = 0; first < count; first += ROWS_PER_INSERT * 10) {
      const statements = [];
      for (let chunk = first; chunk < Math.min(count, first + ROWS_PER_INSERT * 10); chunk += ROWS_PER_INSERT) {
        const taskRows: (typeof schema.tasks.$inferInsert)[] = [];
        const attemptRows: (typeof schema.taskAttempts.$inferInsert)[] = [];
        for (let i = chunk; i < Math.min(count, chunk + ROWS_PER_INSERT); i++) {
          const id = randomUUID();
          ids.push(id);
          const createdAt = new Date(start + i * 1000);
          const failed = i % 10 === 0;
          taskRows.push({
            id,
            scriptName,
            scriptFilename: "noop.sh",
            argFile: `{"sample": ${i}}`,
            status: failed ? schema.TaskStatus.failed : schema.TaskStatus.succeeded,
            error: failed ? "the script exited with code 1" : null,
            createdAt,
            finishedAt: new Date(createdAt.getTime() + 20),
            attemptCount: 1,
          });
          attemptRows.push({ taskId: id, number: 1, executor: "local", handle: JSON.stringify({ pid: 1000 + (i % 30_000), startToken: null }), startedAt: new Date(createdAt.getTime() + 5), finishedAt: new Date(createdAt.getTime() + 20), exitCode: failed ? 1 : 0 });
        }
        statements.push(db.insert(schema.tasks).values(taskRows), db.insert(schema.taskAttempts).values(attemptRows));
      }
      const [head, ...rest] = statements;
      if (head) await db.batch([head, ...rest]);
    }
  } finally {
    client.close();
  }
  return ids;
}
