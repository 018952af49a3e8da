import type { NewTaskRow, TaskDependencyRow, TaskTagRow } from "../db/schema.ts";
import type { Dependency, TaskSettings } from "./task-settings.ts";

/** A task's scheduling settings as its row stores them (no variables: null). */
export function settingsRow(settings: Partial<Omit<TaskSettings, "hold" | "dependencies" | "tags">>): Partial<NewTaskRow> {
  const row: Partial<NewTaskRow> = {};
  if (settings.priority !== undefined) row.priority = settings.priority;
  if (settings.cpus !== undefined) row.cpus = settings.cpus;
  if (settings.gpus !== undefined) row.gpus = settings.gpus;
  if (settings.env !== undefined) row.env = Object.keys(settings.env).length === 0 ? null : JSON.stringify(settings.env);
  if (settings.name !== undefined) row.name = settings.name;
  if (settings.notifyUrl !== undefined) row.notifyUrl = settings.notifyUrl;
  if (settings.notifyOn !== undefined) row.notifyOn = settings.notifyOn;
  return row;
}

export function tagRows(taskId: string, tags: Readonly<Record<string, string>>): TaskTagRow[] {
  return Object.entries(tags).map(([key, value]) => ({ taskId, key, value }));
}

export function dependencyRows(taskId: string, dependencies: readonly Dependency[]): TaskDependencyRow[] {
  return dependencies.map((each) => ({ taskId, dependsOn: each.id, kind: each.kind }));
}
