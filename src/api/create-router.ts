import { OpenAPIHono } from "@hono/zod-openapi";
import { validationHook } from "./error-handler.ts";
import type { AppBindings } from "./types.ts";

/** Every router validates the same way, so every validation error has the same shape. */
export function createRouter() {
  return new OpenAPIHono<AppBindings>({ strict: false, defaultHook: validationHook });
}
