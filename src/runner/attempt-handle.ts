import type { AttemptHandle } from "./executor.ts";

/** How an attempt's handle is stored: JSON text, read only by the executor that wrote it. */
export function storedHandle(handle: AttemptHandle): string {
  return JSON.stringify(handle);
}

/** The stored handle; one that is not a JSON object reads as empty (its executor then finds no process). */
export function parseStoredHandle(text: string | null): AttemptHandle {
  try {
    const parsed: unknown = JSON.parse(text ?? "null");
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as AttemptHandle) : {};
  } catch {
    return {};
  }
}
