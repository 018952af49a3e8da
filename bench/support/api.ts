import { get as httpGet } from "node:http";
import { readFile } from "node:fs/promises";
import { basename } from "node:path";

/** The subset of a task record the bench reads. */
export interface TaskInfo {
  task_id: string;
  status: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

async function ok<T>(response: Response, what: string): Promise<T> {
  if (!response.ok) throw new Error(`${what}: HTTP ${response.status} ${(await response.text()).slice(0, 300)}`);
  return (await response.json()) as T;
}

/** Registers a script file under `name`. */
export async function registerScript(url: string, name: string, scriptPath: string): Promise<void> {
  const form = new FormData();
  form.set("name", name);
  form.set("desc", `bench script ${name}`);
  form.set("script", new Blob([await readFile(scriptPath)]), basename(scriptPath));
  await ok(await fetch(`${url}/api/script`, { method: "POST", body: form }), `register ${name}`);
}

/** Submits a task with a small argument file and no large files, over HTTP (keep-alive). */
export async function submitTask(url: string, scriptName: string, args: unknown = {}): Promise<TaskInfo> {
  const form = new FormData();
  form.set("script_name", scriptName);
  form.set("arg_file", new Blob([JSON.stringify(args)], { type: "application/json" }), "args.json");
  return ok<TaskInfo>(await fetch(`${url}/api/task`, { method: "POST", body: form }), "submit");
}

/** POST /api/queue/pause or /api/queue/resume: queued tasks wait, or start again. */
export async function setQueuePaused(url: string, paused: boolean): Promise<void> {
  await ok(await fetch(`${url}/api/queue/${paused ? "pause" : "resume"}`, { method: "POST" }), paused ? "pause" : "resume");
}

export async function getTask(url: string, taskId: string): Promise<TaskInfo> {
  return ok<TaskInfo>(await fetch(`${url}/api/task/${taskId}`), "status");
}

export async function listTasks(url: string, query: Record<string, string | number>): Promise<{ tasks: TaskInfo[]; next_cursor: string | null }> {
  const search = new URLSearchParams(Object.entries(query).map(([key, value]) => [key, String(value)]));
  return ok(await fetch(`${url}/api/task?${search}`), "list");
}

/**
 * Sends a GET over node:http and reads the body to its end, discarding it;
 * resolves to the bytes received. (Cheaper for the bench than fetch's web
 * streams, so the server's speed is what gets measured.)
 */
export function drain(target: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const outgoing = httpGet(target, (incoming) => {
      if (incoming.statusCode !== 200) {
        incoming.resume();
        reject(new Error(`GET ${target}: HTTP ${incoming.statusCode}`));
        return;
      }
      let bytes = 0;
      incoming.on("data", (chunk: Buffer) => (bytes += chunk.length));
      incoming.on("end", () => resolve(bytes));
      incoming.on("error", reject);
    });
    outgoing.on("error", reject);
  });
}

export const FINISHED = new Set(["succeeded", "failed", "cancelled"]);

/** Milliseconds since the epoch of an ISO time, or NaN for null. */
export const epochMs = (iso: string | null): number => (iso ? Date.parse(iso) : Number.NaN);

/** Waits until a task has started (or finished). */
export async function pollUntilRunning(url: string, taskId: string, timeoutMs = 10_000): Promise<TaskInfo> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const task = await getTask(url, taskId);
    if (task.status !== "queued") return task;
    if (Date.now() > deadline) throw new Error(`task ${taskId} did not start within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
