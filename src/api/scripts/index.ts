import type { ScriptService } from "../../scripts/script-service.ts";
import { createRouter } from "../create-router.ts";
import { createScriptHandlers } from "./handlers.ts";
import * as routes from "./routes.ts";

export function createScriptRouter(scripts: ScriptService) {
  const handlers = createScriptHandlers(scripts);
  return createRouter()
    .openapi(routes.register, handlers.register)
    .openapi(routes.list, handlers.list)
    .openapi(routes.getOne, handlers.getOne)
    .openapi(routes.unregister, handlers.unregister);
}
