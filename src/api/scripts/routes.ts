import { createRoute } from "@hono/zod-openapi";
import { registerScriptBody } from "../multipart-bodies.ts";
import { ScriptDetailSchema, ScriptListSchema, ScriptNameParamsSchema, ScriptSchema, errorResponses } from "../schemas.ts";

const tags = ["scripts"];
const detailJson = { "application/json": { schema: ScriptDetailSchema } };

/** An error response of the route, with what it means there. */
const described = (status: 400 | 404 | 409, description: string) => ({ [status]: { ...errorResponses(status)[status], description } });

export const register = createRoute({
  method: "post",
  path: "/api/script",
  operationId: "registerScript",
  summary: "Register a script, or store a new version of one",
  description:
    "Registers a new name as version 1. With `replace=true`, stores the upload as the next version of a registered script instead: its file under scripts/ (the extension may change) and its description become the new version's; tasks already submitted keep running their own copies. Refused with 400 `script_not_runnable` when nothing could run the file: no shebang line, no extension CubQueue knows an interpreter for, and not a compiled program.",
  tags,
  request: { body: registerScriptBody },
  responses: {
    201: { description: "The script, at its new version", content: { "application/json": { schema: ScriptSchema } } },
    ...errorResponses(400, 408, 413, 507),
    ...described(
      400,
      "The form is malformed or a field is invalid: `invalid_script_name`, `reserved_script_name` (its stored file would collide with CubQueue's own files, e.g. a `.txt` script with its description), `script_not_runnable`, `empty_script`, `missing_field`, `missing_file`, `invalid_field`",
    ),
    ...described(404, "`script_not_found`: `replace=true` for a name that is not registered (a replace never creates a script); nothing is stored"),
    ...described(409, "`script_name_taken`: the name is registered and `replace` was not true; send `replace=true` to store a new version"),
  },
});

export const list = createRoute({
  method: "get",
  path: "/api/script",
  operationId: "listScripts",
  summary: "List the registered scripts",
  tags,
  responses: {
    200: {
      description: "Every registered script, by name, at its current version",
      content: { "application/json": { schema: ScriptListSchema } },
    },
    ...errorResponses(),
  },
});

export const getOne = createRoute({
  method: "get",
  path: "/api/script/{name}",
  operationId: "getScript",
  summary: "A script with every version it has had",
  description: "Its versions come newest first: the first is the current one.",
  tags,
  request: { params: ScriptNameParamsSchema },
  responses: {
    200: { description: "The script and its versions", content: detailJson },
    ...errorResponses(400, 404),
    ...described(404, "`script_not_found`: no script of that name is registered"),
  },
});

export const unregister = createRoute({
  method: "delete",
  path: "/api/script/{name}",
  operationId: "unregisterScript",
  summary: "Unregister a script",
  description:
    "Removes the script: its file and description under scripts/ and its records, every version. Tasks already submitted keep their own copies, so they keep running and can still be restarted. The name can then be registered again, from version 1.",
  tags,
  request: { params: ScriptNameParamsSchema },
  responses: {
    200: { description: "The script as it was, with its versions", content: detailJson },
    ...errorResponses(400, 404),
    ...described(404, "`script_not_found`: no script of that name is registered; nothing changed"),
  },
});

export type RegisterRoute = typeof register;
export type ListRoute = typeof list;
export type GetOneRoute = typeof getOne;
export type UnregisterRoute = typeof unregister;
