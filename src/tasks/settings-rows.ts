import type { NewTaskRow, TaskDependencyRow } from "../db/schema.ts";
import type { Dependency, TaskSettings } from "./task-settings.ts";

/** A task's scheduling settings as its row stores them (no variables: null). */
export function settingsRow(settings: Partial<Omit<TaskSettings, "hold" | "dependencies">>): Partial<NewTaskRow> {
  const row: Partial<NewTaskRow> = {};
  if (settings.priority !== undefined) row.priority = settings.priority;
  if (settings.cpus !== undefined) row.cpus = settings.cpus;
  if (settings.gpus !== undefined) row.gpus = settings.gpus;
  if (settings.env !== undefined) row.env = Object.keys(settings.env).length === 0 ? null : JSON.stringify(settings.env);
  return row;
}

export function dependencyRows(taskId: string, dependencies: readonly Dependency[]): TaskDependencyRow[] {
  return dependencies.map((each) => ({ taskId, dependsOn: each.id, kind: each.kind }));
}
