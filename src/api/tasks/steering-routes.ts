import { createRoute } from "@hono/zod-openapi";
import { editTaskBody, submitArrayBody } from "../multipart-bodies.ts";
import { TaskArraySchema, TaskIdParamsSchema, TaskSchema, errorResponses } from "../schemas.ts";

const tags = ["tasks"];
const taskJson = { "application/json": { schema: TaskSchema } };
/** An error response of the route, with what it means there. */
const described = (status: 400 | 404 | 409, description: string) => ({ [status]: { ...errorResponses(status)[status], description } });
const OTHER_SERVER = "`task_on_other_server`: the task belongs to another CubQueue server sharing this database.";

export const submitArray = createRoute({
  method: "post",
  path: "/api/task/array",
  operationId: "submitTaskArray",
  summary: "Submit an array: one task per argument file, sharing the large files",
  description:
    "Makes one task of each argument file (`arg_file` repeated, and/or each line of `arg_lines`), all of one script and with the same settings. The large files are uploaded once and stored once, read-only, hard-linked into each task's files/; `<fileN>` in every argument file names the shared fileN. All the tasks are made, or none. `max_running` caps how many of them run at once.",
  tags,
  request: { body: submitArrayBody },
  responses: {
    201: { description: "The array: its id and its tasks' ids, in order", content: { "application/json": { schema: TaskArraySchema } } },
    ...errorResponses(400, 404, 408, 409, 413, 507),
    ...described(
      400,
      "A field or an argument file is invalid (`invalid_arg_file` names the file or line, `unknown_placeholder`, `invalid_field`, `invalid_dependency`, `exceeds_server_slots`, `too_many_files`)",
    ),
    ...described(409, "`dependency_failed`: a task to wait for the success of has already failed; or the script cannot be given to a task (`script_file_mismatch`, …)"),
  },
});

export const edit = createRoute({
  method: "patch",
  path: "/api/task/{task_id}",
  operationId: "editTask",
  summary: "Change a task that has not started",
  description:
    "Changes the priority, dependencies, retries, time limit, slots, variables or argument file of a queued or held task; what is not sent stays. Refused (409) once it has started.",
  tags,
  request: { params: TaskIdParamsSchema, body: editTaskBody },
  responses: {
    200: { description: "The task as changed", content: taskJson },
    ...errorResponses(400, 404, 408, 413),
    ...described(409, `\`task_not_waiting\`: the task has started (or finished); only a queued or held task can be edited. \`dependency_failed\`. ${OTHER_SERVER}`),
  },
});

/** A one-word action on a task: POST /api/task/{task_id}/<action>. */
function actionRoute(action: "hold" | "release" | "suspend" | "resume", operationId: string, summary: string, description: string, conflict: string) {
  return createRoute({
    method: "post",
    path: `/api/task/{task_id}/${action}`,
    operationId,
    summary,
    description,
    tags,
    request: { params: TaskIdParamsSchema },
    responses: {
      200: { description: "The task after it", content: taskJson },
      ...errorResponses(404),
      ...described(409, `${conflict} ${OTHER_SERVER}`),
    },
  });
}

export const hold = actionRoute(
  "hold",
  "holdTask",
  "Keep a queued task from starting",
  "A held task stays in the queue, with its place, until released; held tasks can be edited and cancelled.",
  "`task_not_queued`: only a queued task can be held.",
);

export const release = actionRoute("release", "releaseTask", "Let a held task start", "The task is queued again, in its place by priority and age.", "`task_not_held`: the task is not held.");

export const suspend = actionRoute(
  "suspend",
  "suspendTask",
  "Suspend a running task",
  "Stops the task's processes where they are (SIGSTOP to its process group; a process that left the group goes on). It keeps its slots; its time limit stops counting. A restart of the server keeps it suspended.",
  "`task_not_running`: only a running task can be suspended (also while it is still starting).",
);

export const resume = actionRoute(
  "resume",
  "resumeTask",
  "Resume a suspended task",
  "Lets its processes go on (SIGCONT); its time limit counts again from where it stopped.",
  "`task_not_suspended`: the task is not suspended.",
);

export type SubmitArrayRoute = typeof submitArray;
export type EditRoute = typeof edit;
export type ActionRoute = typeof hold;
