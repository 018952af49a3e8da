import type { TaskFolder, TaskService } from "../../tasks/task-service.ts";
import { requestBodyStream } from "../../runtime/request-body.ts";
import type { AppRouteHandler } from "../types.ts";
import { receiveRestartArgFile, receiveSubmission } from "./receive-submission.ts";
import { OMITTED_HEADER, OMITTED_REASONS_HEADER, UNPACKED_SIZE_HEADER, formatOmittedReasons } from "./omitted-header.ts";
import type {
  CancelRoute,
  DeleteRoute,
  FlushRoute,
  GetOneRoute,
  ListRoute,
  LogRoute,
  MetadataRoute,
  RestartRoute,
  ResultRoute,
  SubmitRoute,
} from "./routes.ts";

export function createTaskHandlers(tasks: TaskService) {
  const submit: AppRouteHandler<SubmitRoute> = async (c) => {
    const task = await tasks.submit(await receiveSubmission(requestBodyStream(c), c.req.header("content-type"), tasks.uploadPlace));
    return c.json(task, 201);
  };

  const restart: AppRouteHandler<RestartRoute> = async (c) => {
    const contentType = c.req.header("content-type");
    const argFile = await receiveRestartArgFile(contentType ? requestBodyStream(c) : undefined, contentType);
    const task = await tasks.restart(c.req.valid("param").task_id, { argFile });
    return c.json(task, 200);
  };

  const remove: AppRouteHandler<DeleteRoute> = async (c) => c.json(await tasks.delete(c.req.valid("param").task_id), 200);

  const flush: AppRouteHandler<FlushRoute> = async (c) => {
    // The body is optional: none (or an empty one) flushes every finished task.
    const filter = c.req.header("content-type") ? c.req.valid("json") : {};
    const ids = await tasks.flush({ status: filter.status, olderThanMs: filter.older_than_s === undefined ? undefined : filter.older_than_s * 1000 });
    return c.json({ deleted: ids.length, task_ids: ids }, 200);
  };

  const list: AppRouteHandler<ListRoute> = async (c) => {
    const { tag, created_after, created_before, id_prefix, ...query } = c.req.valid("query");
    const tags = Object.fromEntries((tag === undefined ? [] : Array.isArray(tag) ? tag : [tag]).map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]));
    const date = (iso: string | undefined) => (iso === undefined ? undefined : new Date(iso));
    return c.json(await tasks.list({ ...query, tags, createdAfter: date(created_after), createdBefore: date(created_before), idPrefix: id_prefix }), 200);
  };

  const getOne: AppRouteHandler<GetOneRoute> = async (c) => c.json(await tasks.get(c.req.valid("param").task_id), 200);

  const log: AppRouteHandler<LogRoute> = async (c) =>
    c.json(await tasks.log(c.req.valid("param").task_id, c.req.valid("query").lines, c.req.valid("query").attempt), 200);

  const archiveOf =
    (folder: TaskFolder): AppRouteHandler<MetadataRoute | ResultRoute> =>
    async (c) => {
      const { task_id } = c.req.valid("param");
      const archive = await tasks.archive(task_id, folder, c.req.valid("query").format);
      return c.body(archive.stream, 200, {
        "Content-Type": archive.contentType,
        "Content-Disposition": `attachment; filename="${archive.filename}"`,
        [UNPACKED_SIZE_HEADER]: String(archive.unpackedSize),
        [OMITTED_HEADER]: String(archive.omittedCount),
        ...(archive.omittedCount > 0 ? { [OMITTED_REASONS_HEADER]: formatOmittedReasons(archive.omitted) } : {}),
      });
    };

  const cancel: AppRouteHandler<CancelRoute> = async (c) => c.json(await tasks.cancel(c.req.valid("param").task_id), 200);

  return { submit, restart, remove, flush, list, getOne, log, metadata: archiveOf("metadata"), result: archiveOf("output"), cancel };
}
