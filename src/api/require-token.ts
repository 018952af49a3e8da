import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { AppError } from "../errors.ts";

/**
 * Lets a request through only with `Authorization: Bearer <token>`. The
 * comparison takes the same time whatever the guess (both sides are hashed
 * to equal lengths first), so the token cannot be found byte by byte.
 */
export function requireToken(token: string): MiddlewareHandler {
  const expected = digest(token);
  return async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (!match || !timingSafeEqual(digest(match[1]!), expected)) {
      c.header("WWW-Authenticate", 'Bearer realm="cubqueue"');
      throw new AppError(
        401,
        header ? "invalid_token" : "missing_token",
        header
          ? "The token is not valid for this server; check --token or CUBQUEUE_TOKEN."
          : "This server requires a token: pass --token or set CUBQUEUE_TOKEN (sent as Authorization: Bearer <token>).",
      );
    }
    await next();
  };
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}
