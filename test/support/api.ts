import { readdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { expect } from "vitest";
/** Anything that sends requests to a running server: an in-process test server or a daemon. */
export interface Requester {
  request(path: string, init?: RequestInit): Promise<Response>;
}

export const FIXTURES = new URL("../fixtures/", import.meta.url).pathname;

/** Registers a fixture script through the API, as the spec's Python example does. */
export async function registerFixture(server: Requester, fixture: string, name: string, desc = "a test script") {
  return registerScript(server, name, fixture, await readFile(`${FIXTURES}${fixture}`), desc);
}

/** Registers a script given as its file name and content. */
export async function registerScript(server: Requester, name: string, filename: string, content: string | Uint8Array<ArrayBuffer>, desc = "a test script") {
  const form = new FormData();
  form.set("name", name);
  form.set("desc", desc);
  form.set("script", new Blob([content]), filename);
  const response = await server.request("/api/script", { method: "POST", body: form });
  expect(response.status, await response.clone().text()).toBe(201);
  return response.json();
}

/** Polls until check() holds. */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface SubmitFiles {
  args: unknown;
  files?: Array<{ name: string; content: string | Uint8Array<ArrayBuffer> }>;
  /** More text fields (max_retries, timeout_s, …). */
  fields?: Record<string, string>;
}

/** Submits a task through the API: arg_file as JSON, then file1…fileN. */
export async function submit(server: Requester, scriptName: string, { args, files = [], fields = {} }: SubmitFiles) {
  const form = new FormData();
  form.set("script_name", scriptName);
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
  form.set("arg_file", new Blob([JSON.stringify(args)]), "args.json");
  files.forEach((file, index) => form.set(`file${index + 1}`, new Blob([file.content]), file.name));
  return server.request("/api/task", { method: "POST", body: form });
}

export async function submitOk(server: Requester, scriptName: string, request: SubmitFiles) {
  const response = await submit(server, scriptName, request);
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as { task_id: string; status: string; script_version: number | null; script_sha256: string | null };
}

/** Polls a task until it has finished, and returns its record. */
export async function waitFinished(server: Requester, taskId: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const task = await (await server.request(`/api/task/${taskId}`)).json();
    if (["succeeded", "failed", "cancelled"].includes(task.status)) return task;
    if (Date.now() > deadline) throw new Error(`task ${taskId} still ${task.status}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Polls until the task is running (and has a pid). */
export async function waitRunning(server: Requester, taskId: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const task = await (await server.request(`/api/task/${taskId}`)).json();
    if (task.status === "running" && task.pid) return task;
    if (Date.now() > deadline) throw new Error(`task ${taskId} still ${task.status}${task.error ? ` (${task.error})` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export async function expectError(response: Response, status: number, code: string) {
  const body = await response.json();
  expect({ status: response.status, code: body?.error?.code }, JSON.stringify(body)).toEqual({ status, code });
  expect(typeof body.error.message).toBe("string");
  expect(body.error.message.length).toBeGreaterThan(10);
  return body;
}

export const fixtureName = (path: string) => basename(path);

/** Nothing of a refused submission may remain: no task folder, no staging folder, no row. */
export async function expectNothingLeft(server: Requester & { baseDir: string }) {
  const names = (dir: string) => readdir(join(server.baseDir, dir)).catch(() => []);
  expect(await names("tasks")).toEqual([]);
  expect(await names("cubqueue.incoming")).toEqual([]);
  expect((await (await server.request("/api/task")).json()).tasks).toEqual([]);
}
