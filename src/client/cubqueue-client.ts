import { Buffer } from "node:buffer";
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import createClient, { type Client } from "openapi-fetch";
import type { components, operations, paths } from "./generated/openapi.ts";
import { CubQueueApiError, CubQueueConnectionError, CubQueueTimeoutError, apiErrorFrom, describeFetchFailure, notJson, unexpectedResponse } from "./errors.ts";
import { CLIENT_HEADER } from "../api-info.ts";
import { httpFetch } from "./http-fetch.ts";
import { streamingMultipart, type FormPart, type UploadProgress } from "./multipart-upload.ts";
import { createHashCache, createResumeRecords, defaultCacheDir, type ResumeRecords } from "./resume-records.ts";
import { hashFile, storeFile, type StoredFile, type UploadTransport } from "./resumable-upload.ts";
import { taskFields, type EditOptions, type SubmitArrayOptions, type SubmitOptions } from "./task-options.ts";
import { receiveArchive } from "./download-archive.ts";
import type { UnpackResult } from "./output-folder.ts";
import { readServerSentEvents } from "./server-sent-events.ts";
import { saveStream } from "./save-stream.ts";

export type Script = components["schemas"]["Script"];
export type ScriptDetail = components["schemas"]["ScriptDetail"];
export type ScriptVersion = components["schemas"]["ScriptVersion"];
export type Task = components["schemas"]["Task"];
export type TaskList = components["schemas"]["TaskList"];
export type TaskStatus = components["schemas"]["TaskStatus"];
export type TaskLog = components["schemas"]["TaskLog"];
export type FlushResult = components["schemas"]["FlushResult"];
export type TaskArray = components["schemas"]["TaskArray"];
export type Queue = components["schemas"]["Queue"];
export type Health = components["schemas"]["Health"];
/**
 * What happened to a task, as the event stream tells it: it was submitted, its state changed
 * (a transition, `from` → `to`), or it reported progress; or a gap: events were missed (too
 * old, or the server restarted) and what is watched should be read again.
 */
export type TaskEvent = components["schemas"]["TaskEvent"] | { type: "gap"; reason: string };
/** The archive formats the API offers, as its document says. */
export type ArchiveFormat = NonNullable<NonNullable<operations["downloadTaskResult"]["parameters"]["query"]>["format"]>;
/** Every format, the default first; a format the API adds fails the type check here until it is listed. */
export const ARCHIVE_FORMATS = Object.keys({ "tar.gz": true, tar: true, zip: true } satisfies Record<ArchiveFormat, true>) as ArchiveFormat[];
export type { UploadProgress, UnpackResult };
export type { EditOptions, SubmitArrayOptions, SubmitOptions, TaskOptions } from "./task-options.ts";

/** Every state a task can be in, in the order a task moves through them (the API's TaskStatus, all of it). */
export const TASK_STATUSES = ["queued", "held", "running", "suspended", "succeeded", "failed", "cancelled"] as const satisfies readonly TaskStatus[];
// Fails to compile when the API gains a state this list lacks.
const everyStatus: Record<TaskStatus, true> = Object.fromEntries(TASK_STATUSES.map((status) => [status, true])) as Record<(typeof TASK_STATUSES)[number], true>;
void everyStatus;

export const FINISHED: readonly TaskStatus[] = ["succeeded", "failed", "cancelled"];

export interface ClientOptions {
  /** A fetch to use instead of the global one (e.g. `app.fetch` in tests). */
  fetch?: typeof globalThis.fetch;
  /** Extra headers for every request. */
  headers?: Record<string, string>;
  /** The server's token, when it requires one (sent as `Authorization: Bearer <token>`). */
  token?: string;
  /**
   * Large files at least this big (default 8 MiB) are hashed first and not sent at all if
   * the server has their content; otherwise they are uploaded resumably. Smaller ones go
   * in the submission's form.
   */
  resumableFromBytes?: number;
  /**
   * Where unfinished uploads are remembered, to be resumed (uploads/), and the hashes of
   * large files already read (hashes/); default $XDG_CACHE_HOME/cubqueue (~/.cache/cubqueue).
   */
  cacheDir?: string;
}

export interface UploadFileOptions {
  onProgress?: (progress: UploadProgress) => void;
}

/** Large files at least this big are offered by hash and uploaded resumably (see ClientOptions). */
const RESUMABLE_FROM_BYTES = 8 * 1024 * 1024;
const TUS_RESUMABLE = { "Tus-Resumable": "1.0.0" };

export interface RegisterOptions {
  /** Store the file as the next version of the registered script of that name (which must exist), instead of registering a new one. */
  replace?: boolean;
}

export interface ListTasksOptions {
  status?: TaskStatus;
  script?: string;
  /** Only tasks whose name holds this (any case). */
  name?: string;
  /** Only tasks with every one of these tags. */
  tags?: Readonly<Record<string, string>>;
  /** Only tasks created after (or before) this time: a Date or an ISO 8601 string. */
  createdAfter?: Date | string;
  createdBefore?: Date | string;
  /** Only tasks whose id starts so (hex digits and -). */
  idPrefix?: string;
  limit?: number;
  cursor?: string;
}

export interface EventsOptions {
  /** Only this task's events, or those of tasks of this script, or with every one of these tags. */
  taskId?: string;
  script?: string;
  tags?: Readonly<Record<string, string>>;
  /** Start after this event (an event's id): what happened since comes first. */
  lastEventId?: string;
  /** If the stream is cut, connect again from the last event seen, so none is missed (default true). */
  reconnect?: boolean;
  /** Stops the stream (the iteration ends). */
  signal?: AbortSignal;
  /** Called each time the stream is open (the server listening): a state read then misses no later event. */
  onOpen?: () => void;
}

export interface FollowOptions {
  /** How many of the log's last lines come first (default 10). */
  lines?: number;
  /** Stops following (the iteration ends). */
  signal?: AbortSignal;
}

export interface DownloadOptions {
  /** tar.gz (the default), tar (no compression: the fastest on a fast network) or zip. */
  format?: ArchiveFormat;
  /**
   * Replace files of the same name already in the output folder. Without it, a download that
   * would replace any refuses with CubQueueFileExistsError, naming the first, and writes nothing.
   * Folders are never replaced (files are added into them).
   */
  overwrite?: boolean;
  /** Called as the download arrives: the bytes received so far, and how far unpacking is (see DownloadProgress). */
  onProgress?: (received: number, progress: DownloadProgress) => void;
}

export interface DownloadProgress {
  /** Bytes of the archive received so far (compressed, for tar.gz). */
  received: number;
  /** Bytes of file content unpacked so far. */
  written: number;
  /** Bytes of file content the archive holds, as the server announced it (X-CubQueue-Unpacked-Size); undefined if it did not. */
  total: number | undefined;
}

export interface LogOptions {
  /** Which attempt's log (1 for the first run); the latest's by default. */
  attempt?: number;
}

/** What a download unpacked, and what the server said it left out of the archive. */
export interface DownloadResult extends UnpackResult {
  /**
   * Entries of the task's folder the archive leaves out (links leading outside, hard links from
   * outside, FIFOs/sockets/devices, paths too deep, vanished files): `count`, and per reason.
   */
  omitted: { count: number; reasons: Record<string, number> };
}

export interface WaitOptions {
  /** Where the event stream cannot be had: the longest pause between two status checks (default 2 s). */
  maxIntervalMs?: number;
  /** Give up after this long, with CubQueueTimeoutError (default: wait forever). */
  timeoutMs?: number;
}

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * The CubQueue client: the methods of the spec over the SDK generated from
 * openapi/openapi.json. Uploads and downloads are streamed both ways.
 * Failures throw CubQueueApiError (the server said no) or
 * CubQueueConnectionError (no server answered).
 */
export class CubQueueClient {
  readonly baseUrl: string;
  readonly #api: Client<paths>;
  /** What sends uploads: see http-fetch.ts for why it is not the global fetch. */
  readonly #uploadFetch: typeof globalThis.fetch;
  readonly #resumableFrom: number;
  readonly #records: ResumeRecords;
  readonly #hashes: ReturnType<typeof createHashCache>;

  constructor(baseUrl = "http://127.0.0.1:8000", options: ClientOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    const auth = options.token === undefined ? {} : { Authorization: `Bearer ${options.token}` };
    // The client header tells the server this is not a page forging a request (see api/browser-guard.ts).
    const headers = { [CLIENT_HEADER]: "sdk", ...auth, ...options.headers };
    this.#api = createClient<paths>({ baseUrl: this.baseUrl, fetch: options.fetch, headers });
    // Something other than CubQueue at that address (a web server, a proxy's error page) is named as such, in one line.
    this.#api.use({
      onResponse: async ({ response }) => {
        if (isCubQueueAnswer(response)) return undefined;
        await response.body?.cancel();
        throw unexpectedResponse(this.baseUrl, response);
      },
    });
    this.#uploadFetch = options.fetch ?? httpFetch;
    this.#resumableFrom = options.resumableFromBytes ?? RESUMABLE_FROM_BYTES;
    const cacheDir = options.cacheDir ?? defaultCacheDir();
    this.#records = createResumeRecords(cacheDir, this.baseUrl);
    this.#hashes = createHashCache(cacheDir);
  }

  /**
   * Registers a script file under a unique name, as version 1; with `replace`, stores it
   * as the next version of a registered one. `desc` undefined: none for a new script,
   * the current one kept for a replacement.
   */
  async register(name: string, desc: string | undefined, scriptPath: string, options: RegisterOptions = {}): Promise<Script> {
    const upload = await streamingMultipart([
      { field: "name", value: name },
      ...(desc === undefined ? [] : [{ field: "desc", value: desc }]),
      ...(options.replace ? [{ field: "replace", value: "true" }] : []),
      { field: "script", path: scriptPath },
    ]);
    return this.#call(() => this.#api.POST("/api/script", { ...this.#uploadInit(upload), body: {} as never }));
  }

  /** The registered scripts, by name, each at its current version. */
  async listScripts(): Promise<Script[]> {
    return (await this.#call(() => this.#api.GET("/api/script"))).scripts;
  }

  /** A script with every version it has had, the newest (current) first. */
  async getScript(name: string): Promise<ScriptDetail> {
    return this.#call(() => this.#api.GET("/api/script/{name}", { params: { path: { name } } }));
  }

  /** Unregisters a script (its file, description and every version); tasks already submitted keep their copies. Resolves with the script as it was. */
  async unregisterScript(name: string): Promise<ScriptDetail> {
    return this.#call(() => this.#api.DELETE("/api/script/{name}", { params: { path: { name } } }));
  }

  /**
   * Submits a task: the argument file and the large files (`<file1>`, `<file2>`, …
   * in that order) are streamed to the server. Resolves to the new task's id. With large
   * files, the script is looked up first: a mistyped name must not cost a long upload.
   */
  async submitTask(
    scriptName: string,
    argFilePath: string,
    largeFiles: readonly string[] = [],
    options: SubmitOptions = {},
  ): Promise<string> {
    // The script first: a mistyped name must not cost a long upload.
    if (largeFiles.length > 0) await this.getScript(scriptName);
    const task = await this.#withLargeFiles(largeFiles, options.onProgress, async (fileParts) => {
      const parts: FormPart[] = [{ field: "script_name", value: scriptName }, ...taskFields(options), { field: "arg_file", path: argFilePath }, ...fileParts];
      // The body reads nothing until it is sent, so it holds nothing open meanwhile.
      const upload = await streamingMultipart(parts, options.onProgress);
      return this.#call(() => this.#api.POST("/api/task", { ...this.#uploadInit(upload), body: {} as never }));
    });
    return task.task_id;
  }

  /**
   * Submits an array: one task per argument file (and per line of `argLinesPath`), all of one
   * script and with the same options, sharing the large files, which are uploaded once.
   * Resolves to the array's id and its tasks' ids, in order.
   */
  async submitArray(scriptName: string, argFilePaths: readonly string[], largeFiles: readonly string[] = [], options: SubmitArrayOptions = {}): Promise<TaskArray> {
    if (largeFiles.length > 0) await this.getScript(scriptName);
    return this.#withLargeFiles(largeFiles, options.onProgress, async (fileParts) => {
      const parts: FormPart[] = [
        { field: "script_name", value: scriptName },
        ...taskFields(options),
        ...(options.maxRunning === undefined ? [] : [{ field: "max_running", value: String(options.maxRunning) }]),
        ...argFilePaths.map((path) => ({ field: "arg_file", path })),
        ...(options.argLinesPath === undefined ? [] : [{ field: "arg_lines", path: options.argLinesPath }]),
        ...fileParts,
      ];
      const upload = await streamingMultipart(parts, options.onProgress);
      return this.#call(() => this.#api.POST("/api/task/array", { ...this.#uploadInit(upload), body: {} as never }));
    });
  }

  /**
   * Puts one file on the server, once: hashed first, it is not sent at all if the server
   * has its content; otherwise it is uploaded resumably, picking up where an earlier try
   * stopped (a dropped connection, or a run cut short: see ClientOptions.cacheDir).
   * Resolves to its sha256, which a submission can name instead of sending the file.
   */
  async uploadFile(path: string, options: UploadFileOptions = {}): Promise<StoredFile> {
    return this.#storeFile(path, options.onProgress);
  }

  /** Whether the server stores a file of this content (one a submission may name by its sha256). */
  async hasBlob(sha256: string): Promise<boolean> {
    try {
      await this.#call(() => this.#api.GET("/api/blob/{sha256}", { params: { path: { sha256 } } }));
      return true;
    } catch (error) {
      if (error instanceof CubQueueApiError && error.code === "blob_not_found") return false;
      throw error;
    }
  }

  /** Changes a task that has not started (queued or held); what is not given stays. */
  async editTask(taskId: string, changes: EditOptions): Promise<Task> {
    const { argFilePath, timeoutS, ...rest } = changes;
    const fields = [...taskFields(rest, { replacingDependencies: true }), ...(timeoutS === null ? [{ field: "timeout_s", value: "none" }] : taskFields({ timeoutS }))];
    const parts: FormPart[] = [...fields, ...(argFilePath === undefined ? [] : [{ field: "arg_file", path: argFilePath }])];
    const upload = await streamingMultipart(parts);
    return this.#call(() => this.#api.PATCH("/api/task/{task_id}", { params: { path: { task_id: taskId } }, ...this.#uploadInit(upload), body: {} as never }));
  }

  /** Keeps a queued task from starting until released. */
  async holdTask(taskId: string): Promise<Task> {
    return this.#call(() => this.#api.POST("/api/task/{task_id}/hold", { params: { path: { task_id: taskId } } }));
  }

  /** Lets a held task start. */
  async releaseTask(taskId: string): Promise<Task> {
    return this.#call(() => this.#api.POST("/api/task/{task_id}/release", { params: { path: { task_id: taskId } } }));
  }

  /** Stops a running task's processes where they are, until resumed. */
  async suspendTask(taskId: string): Promise<Task> {
    return this.#call(() => this.#api.POST("/api/task/{task_id}/suspend", { params: { path: { task_id: taskId } } }));
  }

  /** Lets a suspended task's processes go on. */
  async resumeTask(taskId: string): Promise<Task> {
    return this.#call(() => this.#api.POST("/api/task/{task_id}/resume", { params: { path: { task_id: taskId } } }));
  }

  /** The queue: paused or not, concurrency, tasks by state, slots in use. */
  async getQueue(): Promise<Queue> {
    return this.#call(() => this.#api.GET("/api/queue"));
  }

  /** Running tasks go on; nothing new starts until resumeQueue (also across restarts). */
  async pauseQueue(): Promise<Queue> {
    return this.#call(() => this.#api.POST("/api/queue/pause"));
  }

  async resumeQueue(): Promise<Queue> {
    return this.#call(() => this.#api.POST("/api/queue/resume"));
  }

  /** How many tasks run at once, until the server stops. */
  async setConcurrency(concurrency: number): Promise<Queue> {
    return this.#call(() => this.#api.PATCH("/api/queue", { body: { concurrency } }));
  }

  /** The newest tasks (one page; see listTasksPage for paging). */
  async listTasks(options: ListTasksOptions = {}): Promise<Task[]> {
    return (await this.listTasksPage(options)).tasks;
  }

  /** One page of tasks, newest first, filtered as the options say; pass its next_cursor as `cursor` for the next. */
  async listTasksPage(options: ListTasksOptions = {}): Promise<TaskList> {
    const { tags, createdAfter, createdBefore, idPrefix, ...rest } = options;
    const query = {
      ...rest,
      ...(tags === undefined ? {} : { tag: tagPairs(tags) }),
      ...(createdAfter === undefined ? {} : { created_after: isoTime(createdAfter) }),
      ...(createdBefore === undefined ? {} : { created_before: isoTime(createdBefore) }),
      ...(idPrefix === undefined ? {} : { id_prefix: idPrefix }),
    };
    return this.#call(() => this.#api.GET("/api/task", { params: { query } }));
  }

  async getTaskStatus(taskId: string): Promise<Task> {
    return this.#call(() => this.#api.GET("/api/task/{task_id}", { params: { path: { task_id: taskId } } }));
  }

  /** The last `lines` lines of the task's log (at most 1 MiB of them; see getTaskLogTail); the latest attempt's unless `attempt` says. */
  async getTaskLog(taskId: string, lines = 100, options: LogOptions = {}): Promise<string> {
    return (await this.getTaskLogTail(taskId, lines, options)).content;
  }

  /**
   * The last `lines` lines of the task's log with what the server says about them:
   * `truncated` is true when those lines held more than 1 MiB and only the last 1 MiB came.
   */
  async getTaskLogTail(taskId: string, lines = 100, { attempt }: LogOptions = {}): Promise<TaskLog> {
    return this.#call(() =>
      this.#api.GET("/api/task/{task_id}/log", { params: { path: { task_id: taskId }, query: { lines, ...(attempt === undefined ? {} : { attempt }) } } }),
    );
  }

  /** The task's whole log (the latest attempt's unless `attempt` says), as a stream of its bytes: no line cap. */
  async openTaskLog(taskId: string, { attempt }: LogOptions = {}): Promise<ReadableStream<Uint8Array>> {
    const query = attempt === undefined ? {} : { attempt };
    const body = await this.#call(() => this.#api.GET("/api/task/{task_id}/log/raw", { params: { path: { task_id: taskId }, query }, parseAs: "stream" }));
    return body as unknown as ReadableStream<Uint8Array>;
  }

  /**
   * Saves the task's whole log to a file, streamed, whole or not at all; an existing file is
   * refused (CubQueueFileExistsError) unless `overwrite`. Resolves to the bytes written.
   */
  async downloadTaskLog(taskId: string, path: string, options: LogOptions & { overwrite?: boolean } = {}): Promise<number> {
    return saveStream(await this.openTaskLog(taskId, options), path, { overwrite: options.overwrite });
  }

  /**
   * The task's log as it is written: its last `lines` lines, then every write, in chunks of
   * bytes, until the task has finished (its last attempt's end; a retry's log follows,
   * after a line naming the attempt). Every byte comes once, in order.
   */
  async *followTaskLog(taskId: string, { lines = 10, signal }: FollowOptions = {}): AsyncGenerator<Uint8Array> {
    const body = await this.#call(() =>
      this.#api.GET("/api/task/{task_id}/log/follow", { params: { path: { task_id: taskId }, query: { lines } }, parseAs: "stream", signal }),
    );
    const reader = (body as unknown as ReadableStream<Uint8Array>).getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read().catch((error) => (signal?.aborted ? { value: undefined, done: true as const } : Promise.reject(error)));
        if (done) return;
        yield value;
      }
    } finally {
      await reader.cancel().catch(() => undefined);
    }
  }

  /**
   * The server's task events as they happen (see TaskEvent), filtered as the options say.
   * If the stream is cut (the server restarting, a network hiccup), it connects again from
   * the last event seen, so nothing is missed; a gap event says when the server could not
   * tell what was missed. Ends when `signal` aborts (or, with reconnect false, when cut).
   */
  async *events(options: EventsOptions = {}): AsyncGenerator<TaskEvent> {
    const { reconnect = true, signal } = options;
    let lastEventId = options.lastEventId;
    let delayMs = RECONNECT_FIRST_MS;
    for (;;) {
      let body: ReadableStream<Uint8Array>;
      try {
        body = await this.#openEvents({ ...options, lastEventId });
        options.onOpen?.();
      } catch (error) {
        // Only a stream that was open is reconnected: a first failure is the caller's to see.
        if (signal?.aborted) return;
        if (!(error instanceof CubQueueConnectionError) || lastEventId === undefined || !reconnect) throw error;
        await sleep(delayMs, signal);
        delayMs = Math.min(delayMs * 2, RECONNECT_MAX_MS);
        continue;
      }
      try {
        for await (const message of readServerSentEvents(body, signal)) {
          delayMs = RECONNECT_FIRST_MS;
          if (message.id !== undefined) lastEventId = message.id;
          yield message.event === "gap" ? { type: "gap", reason: String(JSON.parse(message.data).reason) } : (JSON.parse(message.data) as TaskEvent);
        }
      } catch (error) {
        if (!signal?.aborted && !reconnect) throw new CubQueueConnectionError(this.baseUrl, describeFetchFailure(error));
      }
      if (signal?.aborted || !reconnect) return;
    }
  }

  /** Whether the server can do its work: `status` "ok", or "unavailable" with why (its database). */
  async health(): Promise<Health> {
    const answer = await this.#api.GET("/healthz").catch((error) => Promise.reject(new CubQueueConnectionError(this.baseUrl, describeFetchFailure(error))));
    // 503 answers the question too: the server is up, its database is not.
    if (answer.response.status === 503 && answer.error) return answer.error as Health;
    return this.#call(async () => answer);
  }

  /** The server's metrics, in Prometheus' text format. */
  async metrics(): Promise<string> {
    return this.#call(() => this.#api.GET("/metrics", { parseAs: "text" })) as Promise<string>;
  }

  /** Downloads the task's metadata folder and unpacks it into outputDir. */
  async downloadTaskMetadata(taskId: string, outputDir: string, options: DownloadOptions = {}): Promise<DownloadResult> {
    return this.#download("/api/task/{task_id}/metadata", taskId, outputDir, options);
  }

  /** Downloads the task's output folder and unpacks it into outputDir. */
  async downloadTaskResult(taskId: string, outputDir: string, options: DownloadOptions = {}): Promise<DownloadResult> {
    return this.#download("/api/task/{task_id}/result", taskId, outputDir, options);
  }

  /** Cancels a queued or running task; resolves once it has stopped. */
  async cancelTask(taskId: string): Promise<Task> {
    return this.#call(() => this.#api.DELETE("/api/task/{task_id}", { params: { path: { task_id: taskId } } }));
  }

  /**
   * Runs a finished task again, as its next attempt, in its own folder and with its files;
   * `argFilePath` replaces its argument file (its placeholders name the task's files).
   */
  async restartTask(taskId: string, { argFilePath }: { argFilePath?: string } = {}): Promise<Task> {
    const path = { task_id: taskId };
    if (argFilePath === undefined) return this.#call(() => this.#api.POST("/api/task/{task_id}/restart", { params: { path } }));
    const upload = await streamingMultipart([{ field: "arg_file", path: argFilePath }]);
    return this.#call(() => this.#api.POST("/api/task/{task_id}/restart", { params: { path }, ...this.#uploadInit(upload), body: {} as never }));
  }

  /** Deletes a finished task with its whole folder; resolves with the task as it was. */
  async deleteTask(taskId: string): Promise<Task> {
    return this.#call(() => this.#api.POST("/api/task/{task_id}/delete", { params: { path: { task_id: taskId } } }));
  }

  /** Deletes every finished task that matches (all, one status, finished longer ago than `olderThanS`). */
  async flushTasks(filter: { status?: "succeeded" | "failed" | "cancelled"; olderThanS?: number } = {}): Promise<FlushResult> {
    const body = { ...(filter.status ? { status: filter.status } : {}), ...(filter.olderThanS === undefined ? {} : { older_than_s: filter.olderThanS }) };
    return this.#call(() => this.#api.POST("/api/task/flush", { body }));
  }

  /**
   * Resolves with the task once it has finished (succeeded, failed or cancelled). It listens
   * to the event stream, so it learns at once and costs the server nothing meanwhile; where
   * the stream cannot be had or is cut, it checks the task's status instead, more and more
   * rarely (up to every maxIntervalMs). After timeoutMs: CubQueueTimeoutError.
   */
  async waitForTask(taskId: string, options: WaitOptions = {}): Promise<Task> {
    const { maxIntervalMs = 2_000, timeoutMs } = options;
    const deadline = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs;
    const seen = { status: "queued" as TaskStatus };
    const giveUp = new AbortController();
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => giveUp.abort(), timeoutMs);
    try {
      const task = await this.#waitByEvents(taskId, seen, giveUp.signal).catch((error) => {
        // The wait is over, or the task is not there: that is the answer. Anything else (a server
        // without the stream, a proxy that cuts it): poll, which reports a lasting failure itself.
        if (giveUp.signal.aborted) throw new CubQueueTimeoutError(taskId, seen.status, timeoutMs ?? 0);
        if (error instanceof CubQueueApiError && error.code === "task_not_found") throw error;
        return undefined;
      });
      if (task) return task;
    } finally {
      clearTimeout(timer);
      giveUp.abort();
    }
    let interval = 100;
    for (;;) {
      const task = await this.getTaskStatus(taskId);
      if (FINISHED.includes(task.status)) return task;
      if (Date.now() + interval > deadline) throw new CubQueueTimeoutError(taskId, task.status, timeoutMs ?? 0);
      await sleep(interval);
      interval = Math.min(interval * 2, maxIntervalMs);
    }
  }

  /**
   * Waits on the task's events. The stream is open (the server listening for this client)
   * before the status is read, so an end between the two is not missed. Rejects when the
   * stream is cut, for the caller to poll instead.
   */
  async #waitByEvents(taskId: string, seen: { status: TaskStatus }, signal: AbortSignal): Promise<Task> {
    const body = await this.#openEvents({ taskId, signal });
    const events = readServerSentEvents(body, signal);
    try {
      let task = await this.getTaskStatus(taskId);
      seen.status = task.status;
      if (FINISHED.includes(task.status)) return task;
      for await (const message of events) {
        const event = message.event === "gap" ? undefined : (JSON.parse(message.data) as TaskEvent);
        if (event && event.type !== "transition") continue;
        if (event?.to === "deleted") throw new CubQueueApiError(404, "task_not_found", `Task ${taskId} was deleted while it was waited for.`);
        task = await this.getTaskStatus(taskId);
        seen.status = task.status;
        if (FINISHED.includes(task.status)) return task;
      }
      throw new Error("the event stream ended");
    } finally {
      await events.return(undefined);
      // Never read (the task had finished already): let go of the stream all the same.
      if (!body.locked) await body.cancel().catch(() => undefined);
    }
  }

  /** Opens the event stream; resolves once the server has answered (and so listens). */
  async #openEvents({ taskId, script, tags, lastEventId, signal }: EventsOptions): Promise<ReadableStream<Uint8Array>> {
    const query = {
      ...(taskId === undefined ? {} : { task_id: taskId }),
      ...(script === undefined ? {} : { script }),
      ...(tags === undefined ? {} : { tag: tagPairs(tags) }),
      ...(lastEventId === undefined ? {} : { last_event_id: lastEventId }),
    };
    const body = await this.#call(() => this.#api.GET("/api/events", { params: { query }, parseAs: "stream", signal }));
    return body as unknown as ReadableStream<Uint8Array>;
  }

  async #download(
    path: "/api/task/{task_id}/metadata" | "/api/task/{task_id}/result",
    taskId: string,
    outputDir: string,
    { format = "tar.gz", overwrite = false, onProgress }: DownloadOptions,
  ): Promise<DownloadResult> {
    let omitted: DownloadResult["omitted"] = { count: 0, reasons: {} };
    let total: number | undefined;
    const stream = await this.#call(async () => {
      const answer = await this.#api.GET(path, { params: { path: { task_id: taskId }, query: { format } }, parseAs: "stream" });
      omitted = omittedFrom(answer.response.headers);
      total = unpackedSizeFrom(answer.response.headers);
      return answer;
    });
    if (!stream) throw new Error("The server sent no archive");
    const progress: DownloadProgress = { received: 0, written: 0, total };
    const report = () => onProgress?.(progress.received, { ...progress });
    const counted = (stream as ReadableStream<Uint8Array>).pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          progress.received += chunk.byteLength;
          report();
          controller.enqueue(chunk);
        },
      }),
    );
    const onWrite = (bytes: number) => {
      progress.written += bytes;
      report();
    };
    return { ...(await receiveArchive(counted, outputDir, format, { overwrite, onWrite })), omitted };
  }

  async #storeFile(path: string, onProgress?: (progress: UploadProgress) => void, hashed?: { sha256: string; size: number }): Promise<StoredFile> {
    let known = hashed ?? (await this.#hashes.get(path).catch(() => undefined));
    if (!known) {
      const before = await this.#hashes.stamp(path).catch(() => undefined);
      known = await hashFile(path, (done, total) => onProgress?.({ phase: "hashing", sent: done, total, file: path }));
      if (before !== undefined) await this.#hashes.set(path, before, known).catch(() => undefined);
    }
    return storeFile(this.#transport, this.#records, path, {
      known,
      filename: basename(path),
      onProgress: onProgress && ((progress) => onProgress({ sent: progress.done, total: progress.total, file: progress.file, phase: progress.phase, resumedAt: progress.resumedAt })),
    });
  }

  /**
   * Makes the form fields of the large files and submits with them: small ones as file
   * parts, large ones put on the server first (see uploadFile) and named by hash. If the
   * server lost one meanwhile (its last task deleted between the check and the submit),
   * they are put there again and the submission sent once more.
   */
  async #withLargeFiles<T>(largeFiles: readonly string[], onProgress: ((progress: UploadProgress) => void) | undefined, submit: (parts: FormPart[]) => Promise<T>): Promise<T> {
    const hashes = new Map<string, { sha256: string; size: number }>();
    const partsOf = async (): Promise<FormPart[]> => {
      const parts: FormPart[] = [];
      for (const [index, path] of largeFiles.entries()) {
        const field = `file${index + 1}`;
        const size = await stat(path).then((info) => (info.isFile() ? info.size : undefined), () => undefined);
        if (size === undefined) throw new Error(`Cannot read ${path}: no such file`);
        if (size < this.#resumableFrom) {
          parts.push({ field, path });
          continue;
        }
        const stored = await this.#storeFile(path, onProgress, hashes.get(path));
        hashes.set(path, stored);
        parts.push({ field: `${field}_sha256`, value: stored.sha256 }, { field: `${field}_name`, value: basename(path) });
      }
      return parts;
    };
    try {
      return await submit(await partsOf());
    } catch (error) {
      if (!(error instanceof CubQueueApiError && error.code === "blob_not_found" && hashes.size > 0)) throw error;
      return submit(await partsOf());
    }
  }

  /** The tus endpoints, as storeFile uses them. */
  get #transport(): UploadTransport {
    const idOf = (url: string) => ({ upload_id: url.slice(url.lastIndexOf("/") + 1) });
    return {
      hasBlob: (sha256) => this.hasBlob(sha256),
      create: async (length, filename, sha256) => {
        const metadata = `filename ${Buffer.from(filename).toString("base64")},sha256 ${Buffer.from(sha256).toString("base64")}`;
        const header = { "tus-resumable": "1.0.0", "upload-length": String(length), "upload-metadata": metadata };
        return (await this.#call(() => this.#api.POST("/api/upload", { params: { header } }))).url;
      },
      offset: async (url) => {
        const answer = await this.#api.HEAD("/api/upload/{upload_id}", { params: { path: idOf(url) }, headers: TUS_RESUMABLE }).catch((error) => {
          throw error instanceof CubQueueApiError ? error : new CubQueueConnectionError(this.baseUrl, describeFetchFailure(error));
        });
        if (answer.response.status === 404 || answer.response.status === 410) return undefined;
        if (!answer.response.ok) throw apiErrorFrom(answer.response, undefined);
        return Number(answer.response.headers.get("upload-offset"));
      },
      append: async (url, offset, length, body) => {
        const header = { "tus-resumable": "1.0.0", "upload-offset": String(offset) };
        const answer = await this.#api
          .PATCH("/api/upload/{upload_id}", {
            params: { path: idOf(url), header },
            fetch: this.#uploadFetch,
            bodySerializer: () => body,
            headers: { "Content-Type": "application/offset+octet-stream", "Content-Length": String(length) },
            duplex: "half",
            body: {} as never,
          } as never)
          .catch((error) => {
            throw error instanceof CubQueueApiError ? error : new CubQueueConnectionError(this.baseUrl, describeFetchFailure(error));
          });
        // Another try got further meanwhile: go on from where the server is.
        if (answer.response.status === 409 && answer.response.headers.has("upload-offset")) return Number(answer.response.headers.get("upload-offset"));
        if (!answer.response.ok) throw apiErrorFrom(answer.response, answer.error);
        return Number(answer.response.headers.get("upload-offset"));
      },
    };
  }

  /** Request options that send a streamed multipart body instead of a serialized one. */
  #uploadInit(upload: { contentType: string; body: ReadableStream<Uint8Array> }) {
    return {
      fetch: this.#uploadFetch,
      bodySerializer: () => upload.body,
      headers: { "Content-Type": upload.contentType },
      // Required by fetch for a streamed request body.
      duplex: "half",
    } as const;
  }

  /** Runs one SDK call, turning its failures into the client's two error types. */
  async #call<T>(request: () => Promise<FetchResult<T>>): Promise<T> {
    let result: FetchResult<T>;
    try {
      result = await request();
    } catch (error) {
      if (error instanceof CubQueueApiError) throw error;
      // A success whose body is not the JSON it should be: not CubQueue's answer either.
      if (error instanceof SyntaxError) throw notJson(this.baseUrl);
      throw new CubQueueConnectionError(this.baseUrl, describeFetchFailure(error));
    }
    if (result.error !== undefined || !result.response.ok) throw apiErrorFrom(result.response, result.error);
    return result.data as T;
  }
}

/** The first wait before connecting again to a cut event stream, and the longest. */
const RECONNECT_FIRST_MS = 250;
const RECONNECT_MAX_MS = 10_000;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });
}

/** Tags as the API's `tag` query takes them: key=value, one each. */
function tagPairs(tags: Readonly<Record<string, string>>): string[] {
  return Object.entries(tags).map(([key, value]) => `${key}=${value}`);
}

function isoTime(time: Date | string): string {
  return time instanceof Date ? time.toISOString() : time;
}

/**
 * Whether an answer could be CubQueue's: it never sends a web page, and its errors are JSON.
 * (Other types pass: archives, and whatever a new operation streams.)
 */
function isCubQueueAnswer(response: Response): boolean {
  const type = (response.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === "text/html") return false;
  return response.ok || type === "application/json";
}

/** The X-CubQueue-Unpacked-Size header: what unpacking the archive writes. */
function unpackedSizeFrom(headers: Headers): number | undefined {
  const size = Number(headers.get("x-cubqueue-unpacked-size") ?? Number.NaN);
  return Number.isSafeInteger(size) && size >= 0 ? size : undefined;
}

/** Reads the X-CubQueue-Omitted headers of an archive response ("3" and "special_file=2, symlink=1"). */
function omittedFrom(headers: Headers): DownloadResult["omitted"] {
  const count = Number(headers.get("x-cubqueue-omitted") ?? 0);
  const reasons: Record<string, number> = {};
  for (const part of (headers.get("x-cubqueue-omitted-reasons") ?? "").split(",")) {
    const [reason, value] = part.trim().split("=");
    if (reason && value !== undefined && Number.isSafeInteger(Number(value))) reasons[reason] = Number(value);
  }
  return { count: Number.isSafeInteger(count) && count > 0 ? count : 0, reasons };
}
