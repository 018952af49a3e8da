import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ZodError } from "zod";
import { AppError, isDiskFull } from "../errors.ts";

function errorBody(code: string, message: string) {
  return { error: { code, message } };
}

/** Turns any thrown error into the one JSON error shape. Unexpected errors are logged, not leaked. */
export function createErrorHandler(logError: (error: unknown) => void) {
  return (error: Error, c: Context) => {
    if (error instanceof AppError) return c.json(errorBody(error.code, error.message), error.status as ContentfulStatusCode, error.headers);
    if (isDiskFull(error)) {
      return c.json(errorBody("insufficient_storage", "The server's disk is full; free some space and try again."), 507);
    }
    if (error instanceof HTTPException) {
      return c.json(errorBody("http_error", error.message || "Request refused"), error.status as ContentfulStatusCode);
    }
    logError(error);
    return c.json(errorBody("internal_error", "The server failed to handle this request; its log has the details."), 500);
  };
}

export function notFoundHandler(c: Context) {
  return c.json(errorBody("not_found", `No endpoint ${c.req.method} ${c.req.path}; see /docs for the API.`), 404);
}

/** Called by every route when zod rejects its parameters or query. */
export function validationHook(result: { success: boolean; error?: ZodError }, c: Context) {
  if (result.success || !result.error) return undefined;
  const message = result.error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "request"}: ${issue.message}`)
    .join("; ");
  return c.json(errorBody("invalid_request", message), 400);
}
