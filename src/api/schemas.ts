import { z } from "@hono/zod-openapi";
import { TASK_STATUSES } from "../db/schema.ts";
import { SCRIPT_NAME_PATTERN } from "../scripts/script-service.ts";

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "task_not_found", description: "Stable, machine-readable." }),
      message: z.string().openapi({ example: 'No task with id "…".', description: "For people: what went wrong and what to do." }),
    }),
  })
  .openapi("Error");

/** How a 401 tells the client which scheme to answer with (see require-token.ts). */
const WWW_AUTHENTICATE = {
  "WWW-Authenticate": {
    description: "The scheme to authenticate with: `Bearer realm=\"cubqueue\"`.",
    schema: { type: "string" as const, example: 'Bearer realm="cubqueue"' },
  },
};

type ErrorResponse = {
  description: string;
  headers?: typeof WWW_AUTHENTICATE;
  content: { "application/json": { schema: typeof ErrorSchema } };
};

/**
 * The error responses a route can give, described once for the OpenAPI
 * document. Every /api route can answer 401 (when the server requires a token),
 * 403 (a request from another web page or to a foreign Host, see browser-guard.ts)
 * and 500 (what the error handler answers for a failure it did not expect).
 */
export function errorResponses<S extends number>(...routeStatuses: S[]) {
  const statuses = [...routeStatuses, 401 as const, 403 as const, 500 as const];
  const descriptions: Record<number, string> = {
    400: "The request is malformed or a field is invalid",
    401: "The server requires a token (Authorization: Bearer …) and it was missing or wrong",
    403: "Refused: a request from another web page, to a host name this server does not answer to, or a browser request without the X-CubQueue-Client header",
    404: "The script or task does not exist (`script_not_found`, `task_not_found`), or the task has no such attempt (`attempt_not_found`)",
    408: "`upload_stalled`: the upload sent nothing for longer than the server's idle timeout (`cubqueue start --idle-timeout`); nothing of it is kept",
    409: "Conflicts with the current state (name taken, task already finished, a script stored under a name CubQueue reserves)",
    410: "`upload_expired`: the resumable upload was abandoned for longer than the server keeps one (`cubqueue start --upload-expiry`); its bytes are gone, start a new one",
    412: "`tus_version_unsupported`: the request's Tus-Resumable is not 1.0.0, the version this server speaks",
    413: "An upload is larger than allowed",
    415: "`unsupported_content_type`: a PATCH of a resumable upload must be sent as application/offset+octet-stream",
    460: "`checksum_mismatch`: the bytes of this PATCH do not have the Upload-Checksum it declared; none of them were kept",
    500: "`internal_error`: the server failed in a way it did not expect; its log has the details",
    507: "The server's disk is full",
  };
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: descriptions[status] ?? "Error",
        ...(status === 401 ? { headers: WWW_AUTHENTICATE } : {}),
        content: { "application/json": { schema: ErrorSchema } },
      },
    ]),
  ) as Record<S | 401 | 403 | 500, ErrorResponse>;
}

/** What a script and each of its versions have: the file and description that version was registered with. */
const versionFields = {
  version: z.number().int().openapi({ description: "1 when registered, one more each time it is replaced.", example: 2 }),
  desc: z.string(),
  filename: z.string().openapi({ description: "The file name under scripts/, extension kept.", example: "align_reads.py" }),
  sha256: z.string(),
  size: z.number().int(),
  created_at: z.string().openapi({ format: "date-time", description: "When this version was registered." }),
};

export const ScriptSchema = z
  .object({ name: z.string().openapi({ example: "align_reads" }), ...versionFields })
  .openapi("Script", { description: "A registered script, as its current version is; its file under scripts/ is that version's." });

export const ScriptVersionSchema = z.object(versionFields).openapi("ScriptVersion");

export const ScriptDetailSchema = z
  .object({
    name: z.string().openapi({ example: "align_reads" }),
    ...versionFields,
    versions: z.array(ScriptVersionSchema).openapi({ description: "Every version it has had, the newest (the current one) first." }),
  })
  .openapi("ScriptDetail");

export const ScriptListSchema = z.object({ scripts: z.array(ScriptSchema) }).openapi("ScriptList");

export const ScriptNameParamsSchema = z.object({
  name: z
    .string()
    .regex(SCRIPT_NAME_PATTERN, "not a script name (1-64 letters, digits and underscores)")
    .openapi({ param: { name: "name", in: "path" }, example: "align_reads" }),
});

export const TaskStatusSchema = z.enum(TASK_STATUSES).openapi("TaskStatus");

export const TaskFileSchema = z
  .object({
    placeholder: z.string().openapi({ example: "<file1>" }),
    name: z.string().openapi({ description: "The file's name on the client." }),
    stored_name: z.string().openapi({ description: "The file's name under the task's files/ folder." }),
    size: z.number().int(),
    sha256: z.string(),
  })
  .openapi("TaskFile");

const timestamp = () => z.string().nullable().openapi({ format: "date-time" });

export const TaskAttemptSchema = z
  .object({
    number: z.number().int().openapi({ description: "1 for the first run." }),
    started_at: z.string().openapi({ format: "date-time" }),
    finished_at: timestamp(),
    exit_code: z.number().int().nullable(),
    signal: z.string().nullable(),
    error: z.string().nullable().openapi({ description: "How the attempt ended, in words, when it did not succeed." }),
    executor: z.string().openapi({ description: 'Where it ran: "local" (a process on the server\'s machine) or "slurm" (a Slurm batch job).', example: "local" }),
    pid: z.number().int().nullable().openapi({ description: "Its process id, for an attempt run as a process on the server's machine; null otherwise or before it started." }),
    slurm_job_id: z.string().nullable().openapi({ description: "Its Slurm job id, for an attempt run as a Slurm batch job; null otherwise or before it was submitted.", example: "917" }),
    log: z.string().nullable().openapi({
      description: "Its log in the task folder: log.txt for the latest attempt, log.<number>.txt for earlier ones; null for one that never started.",
    }),
    cpus: z.number().int().openapi({ description: "The CPU slots it held." }),
    gpu_ids: z
      .array(z.string())
      .nullable()
      .openapi({ description: "The GPUs it was given (what CUDA_VISIBLE_DEVICES named); null when its executor chose them.", example: ["0"] }),
    suspended_s: z.number().openapi({ description: "How long it has been suspended in all; its time limit leaves this out." }),
  })
  .openapi("TaskAttempt");

export const DependencyKindSchema = z.enum(["afterok", "afterany"]).openapi("DependencyKind", {
  description: "afterok: start once that task succeeded (a failure or cancel cancels the waiting task); afterany: start once it ended, however.",
});

export const TaskDependencySchema = z
  .object({
    task_id: z.string().openapi({ format: "uuid" }),
    kind: DependencyKindSchema,
    status: TaskStatusSchema.nullable().openapi({ description: "How that task stands now; null when it was deleted (it had finished)." }),
  })
  .openapi("TaskDependency");

export const TaskSchema = z
  .object({
    task_id: z.string().openapi({ format: "uuid", example: "4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f" }),
    short_id: z.string().openapi({ description: "The shortest start of task_id (8 characters or more) that no other task's id starts with: the CLI takes it for the id.", example: "3f2a9c1d" }),
    name: z.string().nullable().openapi({ description: "A name for people, given at submission.", example: "sample 42" }),
    tags: z.record(z.string(), z.string()).openapi({ description: "Labels to find it by.", example: { project: "beta", run: "7" } }),
    script_name: z.string(),
    script_version: z.number().int().nullable().openapi({
      description: "The version of the script the task was given (its copy in the task folder); null for tasks submitted before scripts had versions.",
    }),
    script_sha256: z.string().nullable().openapi({ description: "The sha256 of that copy; null for tasks submitted before scripts had versions." }),
    status: TaskStatusSchema,
    exit_code: z.number().int().nullable(),
    signal: z.string().nullable().openapi({ example: "SIGTERM" }),
    error: z.string().nullable().openapi({ description: "Why the task failed or was cancelled." }),
    timed_out: z.boolean().openapi({ description: "It failed because its last attempt ran past its time limit (timeout_s) and was stopped." }),
    created_at: z.string().openapi({ format: "date-time" }),
    started_at: timestamp(),
    finished_at: timestamp(),
    cancel_requested_at: timestamp(),
    attempts: z.number().int().openapi({ description: "How many times the script was started." }),
    pid: z.number().int().nullable().openapi({ description: "The process id of the latest attempt." }),
    executor: z.string().nullable().openapi({ description: 'Where the latest attempt runs or ran: "local" or "slurm"; null before the first.', example: "slurm" }),
    slurm_job_id: z.string().nullable().openapi({ description: "The Slurm job id of the latest attempt, when it is a Slurm batch job.", example: "917" }),
    slurm_options: z.array(z.string()).openapi({
      description: "The sbatch options passed through to each of its jobs (the submission's `slurm_options`), on a server that runs tasks on Slurm.",
      example: ["--qos=long"],
    }),
    max_retries: z.number().int().openapi({ description: "How many times a failed or timed-out attempt is run again (0: never)." }),
    retry_delay_s: z.number().openapi({ description: "The wait before a retry, in seconds." }),
    retry_backoff: z.boolean().openapi({ description: "Whether each further retry waits twice as long as the one before." }),
    timeout_s: z.number().nullable().openapi({ description: "How long one attempt may run, in seconds; null for no limit." }),
    next_attempt_at: timestamp().openapi({ description: "For a queued retry still waiting out its delay: when it may start." }),
    progress: z
      .object({ percent: z.number(), message: z.string().nullable() })
      .nullable()
      .openapi({ description: "How far its latest attempt said it got (from $CUBQUEUE_PROGRESS_FILE), and what it was doing; null before it said." }),
    notify_url: z.string().nullable().openapi({ description: "Called (POST, the task as JSON) when the task finishes, or with notify_on all at every change of its state." }),
    notify_on: z.enum(["finish", "all"]),
    priority: z.number().int().openapi({ description: "Higher starts first; equal ones oldest first." }),
    cpus: z.number().int().openapi({ description: "The CPU slots each attempt takes." }),
    gpus: z.number().int().openapi({ description: "How many GPUs each attempt takes." }),
    env: z.record(z.string(), z.string()).openapi({ description: "Variables set for every attempt (besides the CUBQUEUE_* ones)." }),
    array_id: z.string().nullable().openapi({ description: "The array it was submitted in (POST /api/task/array), if any." }),
    dependencies: z.array(TaskDependencySchema).openapi({ description: "The tasks it waits (or waited) for." }),
    waiting_for: z.array(z.string()).openapi({ description: "For a queued or held task: the ids of the dependencies not met yet." }),
    attempt_history: z.array(TaskAttemptSchema).openapi({ description: "Every attempt, the first first." }),
    files: z.array(TaskFileSchema),
  })
  .openapi("Task");

export const TaskListSchema = z
  .object({
    tasks: z.array(TaskSchema),
    next_cursor: z.string().nullable().openapi({ description: "Pass as `cursor` for the next page; null on the last page." }),
  })
  .openapi("TaskList");

export const TaskLogSchema = z
  .object({
    task_id: z.string().openapi({ format: "uuid" }),
    status: TaskStatusSchema,
    attempt: z.number().int().openapi({ description: "Whose log this is: the attempt's number (0 for a task that has not run yet)." }),
    lines: z.number().int(),
    content: z.string().openapi({
      description:
        "The last `lines` lines of the log, as they were written. A line ends with \\n, \\r\\n or a lone \\r (progress bars). At most 1 MiB: see `truncated`.",
    }),
    bytes: z.number().int().openapi({ description: "How many bytes of the log `content` holds." }),
    truncated: z.boolean().openapi({
      description:
        "True when the requested lines held more than 1 MiB: `content` is then the last 1 MiB of the log (starting at a whole UTF-8 character), not all the lines asked for.",
    }),
  })
  .openapi("TaskLog");

export const FlushResultSchema = z
  .object({
    deleted: z.number().int().openapi({ description: "How many tasks were deleted." }),
    task_ids: z.array(z.string().openapi({ format: "uuid" })).openapi({ description: "Their ids, oldest first." }),
  })
  .openapi("FlushResult");

/**
 * A task id is a UUID. The format is documented, not enforced: any other text
 * names no task, and answers 404 `task_not_found` like an unknown UUID.
 */
export const TaskIdParamsSchema = z.object({
  task_id: z
    .string()
    .min(1)
    .openapi({ param: { name: "task_id", in: "path" }, format: "uuid", example: "4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f" }),
});

export const TaskArraySchema = z
  .object({
    array_id: z.string().openapi({ format: "uuid" }),
    task_ids: z.array(z.string()).openapi({ description: "Its tasks, in the order of their argument files." }),
    max_running: z.number().int().nullable().openapi({ description: "At most this many of its tasks run at once; null for no limit." }),
  })
  .openapi("TaskArray");

export const QueueSchema = z
  .object({
    paused: z.boolean().openapi({ description: "Paused: running tasks go on, nothing new starts (kept across restarts)." }),
    concurrency: z.number().int().openapi({ description: "How many tasks run at once." }),
    counts: z.record(TaskStatusSchema, z.number().int()).openapi({ description: "This server's tasks, by state." }),
    cpus: z.object({ total: z.number().int(), used: z.number().int() }).openapi({ description: "CPU slots in all, and held by running tasks." }),
    gpus: z
      .object({ total: z.array(z.string()), free: z.array(z.string()) })
      .openapi({ description: "The GPUs this server hands out, by id, and those no running task holds." }),
  })
  .openapi("Queue");
