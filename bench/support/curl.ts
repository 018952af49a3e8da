import { putFile } from "./put-file.ts";
import { runOk, which } from "./shell.ts";

let curlPath: Promise<string | undefined> | undefined;

/**
 * curl when it is installed: as the client of a transfer it costs the least CPU,
 * so the server (or the reference receiver) is what gets measured, not a Node
 * client on the same two cores.
 */
export const findCurl = (): Promise<string | undefined> => (curlPath ??= which("curl"));

/** GETs a URL with curl, discarding the body; resolves to the bytes received. */
export async function curlDrain(curl: string, url: string, timeoutMs: number): Promise<number> {
  const result = await runOk(curl, ["-sS", "--fail", "-o", "/dev/null", "-w", "%{size_download}", url], { timeoutMs });
  return Number(result.stdout.trim());
}

/** PUTs a file with curl (no `Expect: 100-continue` round trip). */
export async function curlPut(curl: string, url: string, path: string, timeoutMs: number): Promise<void> {
  await runOk(curl, ["-sS", "--fail", "-H", "Expect:", "-T", path, "-o", "/dev/null", url], { timeoutMs });
}

/**
 * POSTs a multipart form (text fields, and files by path) as the spec's plain request does:
 * with curl -F when it is installed, else Node's fetch (which reads the files into memory).
 */
export async function curlSubmit(curl: string | undefined, url: string, fields: Record<string, string>, files: Record<string, string>, timeoutMs: number): Promise<string> {
  if (curl) {
    const form = [...Object.entries(fields).map(([name, value]) => `${name}=${value}`), ...Object.entries(files).map(([name, path]) => `${name}=@${path}`)];
    const answered = await runOk(curl, ["-sS", "--fail", "-H", "Expect:", ...form.flatMap((part) => ["-F", part]), `${url}/api/task`], { timeoutMs });
    return taskIdOf(answered.stdout);
  }
  const { openAsBlob } = await import("node:fs");
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
  for (const [name, path] of Object.entries(files)) form.set(name, await openAsBlob(path), path.split("/").pop());
  const response = await fetch(`${url}/api/task`, { method: "POST", body: form, signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`POST /api/task answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
  return taskIdOf(await response.text());
}

function taskIdOf(answer: string): string {
  const { task_id: taskId } = JSON.parse(answer) as { task_id?: string };
  if (!taskId) throw new Error(`POST /api/task answered no task id: ${answer.slice(0, 300)}`);
  return taskId;
}

/**
 * Sends a file as a resumable upload: creates it (POST /api/upload, tus), then sends all its
 * bytes in one PATCH, as a tus client does, with curl when it is installed, else node:http.
 * Resolves, once the server has them, to the upload's URL.
 */
export async function curlResumableUpload(curl: string | undefined, url: string, path: string, size: number, timeoutMs: number): Promise<string> {
  const created = await fetch(`${url}/api/upload`, { method: "POST", headers: { "Tus-Resumable": "1.0.0", "Upload-Length": String(size) } });
  await created.body?.cancel();
  const location = created.headers.get("location");
  if (created.status !== 201 || !location) throw new Error(`POST /api/upload answered ${created.status}`);
  const headers = { "Tus-Resumable": "1.0.0", "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream" };
  const target = new URL(location, url).href;
  if (!curl) {
    await putFile(target, path, size, { method: "PATCH", headers });
    return target;
  }
  const tus = Object.entries(headers).flatMap(([name, value]) => ["-H", `${name}: ${value}`]);
  await runOk(curl, ["-sS", "--fail", "-X", "PATCH", "-H", "Expect:", ...tus, "-T", path, "-o", "/dev/null", target], { timeoutMs });
  return target;
}
