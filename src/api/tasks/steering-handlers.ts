import type { TaskService } from "../../tasks/task-service.ts";
import { requestBodyStream } from "../../runtime/request-body.ts";
import type { AppRouteHandler } from "../types.ts";
import { receiveEdit } from "./receive-edit.ts";
import { receiveSubmission } from "./receive-submission.ts";
import type { ActionRoute, EditRoute, SubmitArrayRoute } from "./steering-routes.ts";

export function createSteeringHandlers(tasks: TaskService) {
  const submitArray: AppRouteHandler<SubmitArrayRoute> = async (c) => {
    const submission = await receiveSubmission(requestBodyStream(c), c.req.header("content-type"), tasks.uploadPlace, { array: true });
    return c.json(await tasks.submitArray(submission), 201);
  };

  const edit: AppRouteHandler<EditRoute> = async (c) => {
    const changes = await receiveEdit(requestBodyStream(c), c.req.header("content-type"));
    return c.json(await tasks.edit(c.req.valid("param").task_id, changes), 200);
  };

  const action =
    (act: (id: string) => ReturnType<TaskService["hold"]>): AppRouteHandler<ActionRoute> =>
    async (c) =>
      c.json(await act(c.req.valid("param").task_id), 200);

  return {
    submitArray,
    edit,
    hold: action((id) => tasks.hold(id)),
    release: action((id) => tasks.release(id)),
    suspend: action((id) => tasks.suspend(id)),
    resume: action((id) => tasks.resume(id)),
  };
}
