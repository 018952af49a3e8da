import { createRoute } from "@hono/zod-openapi";
import { registerScriptBody } from "../multipart-bodies.ts";
import { ScriptListSchema, ScriptSchema, errorResponses } from "../schemas.ts";

const tags = ["scripts"];

export const register = createRoute({
  method: "post",
  path: "/api/script",
  operationId: "registerScript",
  summary: "Register a script",
  tags,
  request: { body: registerScriptBody },
  responses: {
    201: { description: "The registered script", content: { "application/json": { schema: ScriptSchema } } },
    ...errorResponses(400, 408, 409, 413, 507),
  },
});

export const list = createRoute({
  method: "get",
  path: "/api/script",
  operationId: "listScripts",
  summary: "List the registered scripts",
  tags,
  responses: {
    200: { description: "Every registered script, by name", content: { "application/json": { schema: ScriptListSchema } } },
    ...errorResponses(),
  },
});

export type RegisterRoute = typeof register;
export type ListRoute = typeof list;
