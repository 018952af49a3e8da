import { createRoute, z } from "@hono/zod-openapi";
import { SCRIPT_NAME_PATTERN } from "../../scripts/script-service.ts";
import { restartTaskBody, submitTaskBody } from "../multipart-bodies.ts";
import {
  FlushResultSchema,
  TaskIdParamsSchema,
  TaskListSchema,
  TaskLogSchema,
  TaskSchema,
  TaskStatusSchema,
  errorResponses,
} from "../schemas.ts";

const tags = ["tasks"];
/** Said of every 409 on a task's files or process: servers sharing a database each keep their own tasks. */
const OTHER_SERVER = "`task_on_other_server`: the task belongs to another CubQueue server sharing this database (its folder is in that server's base dir); ask that server.";
const taskJson = { "application/json": { schema: TaskSchema } };
const binary = { schema: { type: "string" as const, format: "binary" } };

export const submit = createRoute({
  method: "post",
  path: "/api/task",
  operationId: "submitTask",
  summary: "Submit a task",
  description: "Queues a run of a registered script. Files are streamed to disk; `<fileN>` placeholders in the argument file are replaced by the stored files' paths.",
  tags,
  request: { body: submitTaskBody },
  responses: {
    201: { description: "The queued task", content: taskJson },
    ...errorResponses(400, 404, 408, 409, 413, 507),
    404: { ...errorResponses(404)[404], description: "`script_not_found`: no script of that name is registered (or it was unregistered)" },
    409: {
      ...errorResponses(409)[409],
      description:
        "The script cannot be given to a task: `reserved_script_name` (stored by an older CubQueue under a name that collides with a task's own files), `script_file_mismatch` (its file no longer matches its current version's sha256; replace it again) or `script_file_missing` (its file is not in this server's base dir: removed by hand, or registered on another server sharing this database)",
    },
  },
});

export const list = createRoute({
  method: "get",
  path: "/api/task",
  operationId: "listTasks",
  summary: "List tasks, newest first",
  tags,
  request: {
    query: z.object({
      limit: z.coerce.number().int().min(1).max(1000).default(100).openapi({ description: "Page size (1-1000)." }),
      cursor: z
        .string()
        .regex(/^[1-9][0-9]{0,15}$/, "not a cursor; pass the next_cursor of a previous page")
        .optional()
        .openapi({ description: "The next_cursor of the previous page." }),
      status: TaskStatusSchema.optional(),
      script: z
        .string()
        .regex(SCRIPT_NAME_PATTERN, "not a script name (letters, digits and underscores)")
        .optional()
        .openapi({ description: "Only tasks of this script." }),
      name: z.string().min(1).max(200).optional().openapi({ description: "Only tasks whose name holds this (any case)." }),
      tag: z
        .union([z.string().regex(/^[^=]+=.*$/, "not key=value"), z.array(z.string().regex(/^[^=]+=.*$/, "not key=value"))])
        .optional()
        .openapi({ description: "Only tasks with this tag, as key=value; repeat for several (all must match)." }),
      created_after: z.string().datetime({ offset: true }).optional().openapi({ description: "Only tasks submitted after this time (ISO 8601)." }),
      created_before: z.string().datetime({ offset: true }).optional().openapi({ description: "Only tasks submitted before this time (ISO 8601)." }),
      id_prefix: z
        .string()
        .regex(/^[0-9a-f-]{1,36}$/, "not the start of a task id (hex digits and -)")
        .optional()
        .openapi({ description: "Only tasks whose id starts so (how a short id is found)." }),
    }),
  },
  responses: {
    200: { description: "One page of tasks", content: { "application/json": { schema: TaskListSchema } } },
    ...errorResponses(400),
  },
});

export const getOne = createRoute({
  method: "get",
  path: "/api/task/{task_id}",
  operationId: "getTask",
  summary: "A task's status and record",
  tags,
  request: { params: TaskIdParamsSchema },
  responses: {
    200: { description: "The task", content: taskJson },
    ...errorResponses(404),
  },
});

export const log = createRoute({
  method: "get",
  path: "/api/task/{task_id}/log",
  operationId: "getTaskLog",
  summary: "The last lines of a task's log",
  description:
    "At most 1 MiB is returned (`truncated` says when the lines asked for held more). A missing log reads as empty. 409 `log_unreadable` when the script replaced log.txt by a FIFO, symlink, directory or a hard link to another file: nothing is served.",
  tags,
  request: {
    params: TaskIdParamsSchema,
    query: z.object({
      lines: z.coerce.number().int().min(1).max(100_000).default(100).openapi({ description: "How many lines, from the end (1-100000)." }),
      attempt: z.coerce
        .number()
        .int()
        .min(1)
        .optional()
        .openapi({ description: "Which attempt's log (1 for the first run); the latest attempt's by default." }),
    }),
  },
  responses: {
    200: { description: "The log's tail", content: { "application/json": { schema: TaskLogSchema } } },
    ...errorResponses(400, 404),
    409: { ...errorResponses(409)[409], description: `\`log_unreadable\`: log.txt is not a regular file of the task's own. ${OTHER_SERVER}` },
  },
});

const archiveRequest = {
  params: TaskIdParamsSchema,
  query: z.object({
    format: z.enum(["tar.gz", "tar", "zip"]).default("tar.gz").openapi({
      description: "tar.gz (default), tar (uncompressed, fastest) or zip.",
    }),
  }),
};

const archiveResponses = {
  200: {
    description:
      "The folder as an archive, streamed. Left out: symlinks leading outside the folder (or nowhere), files with hard links outside it, FIFOs, sockets and devices, paths too long to open, and what vanishes while it is read; the headers count them.",
    headers: {
      "Content-Disposition": {
        description: "`attachment` with the archive's file name: `<task_id>-metadata.<format>` or `<task_id>-result.<format>`.",
        schema: { type: "string" as const, example: 'attachment; filename="4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f-result.tar.gz"' },
      },
      "X-CubQueue-Unpacked-Size": {
        description: "How many bytes of file content the archive holds: what unpacking it writes, whatever the format's framing or compression.",
        schema: { type: "integer" as const, minimum: 0 },
      },
      "X-CubQueue-Omitted": {
        description: "How many entries of the folder the archive leaves out (0 when none).",
        schema: { type: "integer" as const, minimum: 0 },
      },
      "X-CubQueue-Omitted-Reasons": {
        description:
          "Only when X-CubQueue-Omitted is not 0: the count per reason, e.g. `special_file=2, symlink=1`. Reasons: symlink, hard_link_outside, special_file, too_deep, vanished, unreadable, name_not_utf8.",
        schema: { type: "string" as const, example: "special_file=2, symlink=1" },
      },
    },
    content: { "application/gzip": binary, "application/x-tar": binary, "application/zip": binary },
  },
  ...errorResponses(400, 404),
  409: { ...errorResponses(409)[409], description: OTHER_SERVER },
};

export const metadata = createRoute({
  method: "get",
  path: "/api/task/{task_id}/metadata",
  operationId: "downloadTaskMetadata",
  summary: "Download the task's metadata folder",
  tags,
  request: archiveRequest,
  responses: archiveResponses,
});

export const result = createRoute({
  method: "get",
  path: "/api/task/{task_id}/result",
  operationId: "downloadTaskResult",
  summary: "Download the task's output folder",
  tags,
  request: archiveRequest,
  responses: archiveResponses,
});

const cancelErrors = {
  ...errorResponses(404, 409),
  409: {
    ...errorResponses(409)[409],
    description:
      "`task_finished`: the task has already finished. `task_finishing`: its process has ended and its outcome is still being " +
      "recorded (the server cannot write to its database yet, e.g. a full disk; it keeps trying): ask again later. " +
      `A running task of another server: ${OTHER_SERVER}`,
  },
};

export const cancel = createRoute({
  method: "delete",
  path: "/api/task/{task_id}",
  operationId: "cancelTask",
  summary: "Cancel a queued or running task",
  description: "A running task's process group gets TERM, then KILL after a grace period; the answer comes once it has stopped.",
  tags,
  request: { params: TaskIdParamsSchema },
  responses: {
    200: { description: "The cancelled task", content: taskJson },
    ...cancelErrors,
  },
});

export const restart = createRoute({
  method: "post",
  path: "/api/task/{task_id}/restart",
  operationId: "restartTask",
  summary: "Run a finished task again",
  description:
    "Queues a succeeded, failed or cancelled task again, in its own folder and under its id, as its next attempt: its files, " +
    "output and metadata stay, its log becomes log.<n>.txt, its retries count afresh. Optionally with a new argument file.",
  tags,
  request: { params: TaskIdParamsSchema, body: restartTaskBody },
  responses: {
    200: { description: "The queued task", content: taskJson },
    ...errorResponses(400, 404, 408, 413),
    409: {
      ...errorResponses(409)[409],
      description: `\`task_not_finished\`: the task is queued or running; cancel it first, or wait for it to finish. ${OTHER_SERVER}`,
    },
  },
});

const notFinished409 = (what: string) => ({
  409: { ...errorResponses(409)[409], description: `\`task_not_finished\`: the task is queued or running; ${what} ${OTHER_SERVER}` },
});

export const remove = createRoute({
  method: "post",
  path: "/api/task/{task_id}/delete",
  operationId: "deleteTask",
  summary: "Delete a finished task and its folder",
  description:
    "Removes a succeeded, failed or cancelled task: its record and its whole folder (files, output, metadata, logs). " +
    "A POST, not DELETE /api/task/{task_id}, which the API keeps for cancel. Answers with the task as it was.",
  tags,
  request: { params: TaskIdParamsSchema },
  responses: {
    200: { description: "The deleted task, as it was", content: taskJson },
    ...errorResponses(404),
    ...notFinished409("cancel it first, or wait for it to finish."),
  },
});

export const flush = createRoute({
  method: "post",
  path: "/api/task/flush",
  operationId: "flushTasks",
  summary: "Delete every finished task that matches",
  description: "Deletes finished tasks (all of them, or those of one status, or those that finished longer ago than `older_than_s`) with their folders. Queued and running tasks are never touched.",
  tags,
  request: {
    body: {
      required: false,
      content: {
        "application/json": {
          schema: z.object({
            status: z.enum(["succeeded", "failed", "cancelled"]).optional().openapi({ description: "Only tasks that ended so." }),
            older_than_s: z.number().min(0).optional().openapi({ description: "Only tasks that finished longer ago than this many seconds." }),
          }),
        },
      },
    },
  },
  responses: {
    200: { description: "What was deleted", content: { "application/json": { schema: FlushResultSchema } } },
    ...errorResponses(400),
  },
});

export type SubmitRoute = typeof submit;
export type DeleteRoute = typeof remove;
export type FlushRoute = typeof flush;
export type RestartRoute = typeof restart;
export type ListRoute = typeof list;
export type GetOneRoute = typeof getOne;
export type LogRoute = typeof log;
export type MetadataRoute = typeof metadata;
export type ResultRoute = typeof result;
export type CancelRoute = typeof cancel;
