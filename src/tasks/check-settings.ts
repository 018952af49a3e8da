import { findDependencyTargets, wouldCloseCycle } from "../db/queries/queue.ts";
import type { Database } from "../db/open.ts";
import { DependencyKind, FINISHED_STATUSES, TaskStatus } from "../db/schema.ts";
import { AppError, badRequest } from "../errors.ts";
import type { Dependency } from "./task-settings.ts";

/** What the server has to give its tasks: a task asking for more could never start. */
export interface ServerSlots {
  cpus: number;
  gpus: number;
}

/** Refuses slots this server could never give (400, naming what it has). */
export function checkSlots({ cpus, gpus }: { cpus?: number; gpus?: number }, server: ServerSlots): void {
  if (cpus !== undefined && cpus > server.cpus) {
    throw badRequest("exceeds_server_slots", `The task asks for ${cpus} CPUs; this server has ${server.cpus} (cubqueue start --cpus), so it could never start.`);
  }
  if (gpus !== undefined && gpus > server.gpus) {
    throw badRequest(
      "exceeds_server_slots",
      `The task asks for ${gpus} GPU${gpus === 1 ? "" : "s"}; this server has ${server.gpus === 0 ? "none" : server.gpus} (cubqueue start --gpus), so it could never start.`,
    );
  }
}

/**
 * Refuses dependencies that could never be met: a task that does not exist
 * (or is another server's, which this one never hears of), the task itself,
 * a cycle (only an edit can make one), or a success awaited from a task that
 * already failed or was cancelled.
 */
export async function checkDependencies(db: Database, home: string, dependencies: readonly Dependency[], self?: string): Promise<void> {
  if (dependencies.length === 0) return;
  const ids = dependencies.map((each) => each.id);
  if (self !== undefined && ids.includes(self)) throw badRequest("invalid_dependency", `Task ${self} cannot wait for itself.`);
  const found = new Map((await findDependencyTargets(db, ids)).map((row) => [row.id, row]));
  for (const dependency of dependencies) {
    const target = found.get(dependency.id);
    if (!target) throw badRequest("invalid_dependency", `No task with id "${dependency.id}" to wait for; check the ids given with after/after_any.`);
    if (target.home !== null && target.home !== home) {
      throw badRequest("invalid_dependency", `Task ${dependency.id} belongs to another CubQueue server sharing this database; a task can only wait for tasks of its own server.`);
    }
    const ended = FINISHED_STATUSES.includes(target.status) && target.status !== TaskStatus.succeeded;
    if (dependency.kind === DependencyKind.afterok && ended) {
      throw new AppError(
        409,
        "dependency_failed",
        `Task ${dependency.id} has already ${target.status === TaskStatus.failed ? "failed" : "been cancelled"}, so a task waiting for its success would never run; wait for its end instead (after_any), or restart it first.`,
      );
    }
  }
  if (self !== undefined && (await wouldCloseCycle(db, self, ids))) {
    throw badRequest("invalid_dependency", `Task ${self} would wait for itself through the tasks it waits for: dependencies cannot form a cycle.`);
  }
}
