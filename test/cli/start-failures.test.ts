import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createClient } from "@libsql/client";
import { describe, expect, it, onTestFinished } from "vitest";
import { runCubqueue } from "../support/cli.ts";
import { makeTempDir } from "../support/temp-dir.ts";

/** A database another application made: SQLite, but not CubQueue's. */
async function foreignDatabase(path: string, statements: string[]): Promise<void> {
  const client = createClient({ url: pathToFileURL(path).href });
  for (const statement of statements) await client.execute(statement);
  client.close();
}

describe("a start that cannot use its database says why, in one line", () => {
  it("names the database and SQLite's reason, not the query that failed", async () => {
    const dir = await makeTempDir();
    onTestFinished(dir.remove);
    const garbage = join(dir.path, "garbage.db");
    await writeFile(garbage, "this is not a database, it only has the name of one\n".repeat(200));
    // Marked as migrated far in the future, so no migration runs and the first query meets no tables.
    const migratedElsewhere = join(dir.path, "migrated-elsewhere.db");
    await foreignDatabase(migratedElsewhere, [
      "CREATE TABLE __drizzle_migrations (id INTEGER PRIMARY KEY, hash TEXT NOT NULL, created_at NUMERIC)",
      "INSERT INTO __drizzle_migrations VALUES (1, 'another-app', 99999999999999)",
    ]);
    const clashing = join(dir.path, "clashing.db");
    await foreignDatabase(clashing, ["CREATE TABLE scripts (anything)"]);

    const cases = [
      { database: garbage, says: "file is not a database" },
      { database: migratedElsewhere, says: "no such table: tasks" },
      { database: clashing, says: "table `scripts` already exists" },
    ];
    for (const [index, { database, says }] of cases.entries()) {
      const baseDir = join(dir.path, `base-${index}`);
      const result = await runCubqueue(["start", "--base-dir", baseDir, "--port", "0"], {
        CUBQUEUE_DATABASE_URL: pathToFileURL(database).href,
      });
      expect(result.code, result.stderr).toBe(1);
      const lines = result.stderr.trim().split("\n");
      expect(lines, result.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^cubqueue: Cannot use the database file:\/\/\S+: /);
      expect(lines[0]).toContain(database);
      expect(lines[0]).toContain(says);
      expect(lines[0]).not.toContain("Failed query");
      expect(lines[0]).toContain("--base-dir");
    }
  });
});
