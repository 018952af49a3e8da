import type { ScriptService } from "../../scripts/script-service.ts";
import { requestBodyStream } from "../../runtime/request-body.ts";
import type { AppRouteHandler } from "../types.ts";
import { receiveRegistration } from "./receive-registration.ts";
import type { GetOneRoute, ListRoute, RegisterRoute, UnregisterRoute } from "./routes.ts";

export function createScriptHandlers(scripts: ScriptService) {
  const register: AppRouteHandler<RegisterRoute> = async (c) => {
    const script = await scripts.register(await receiveRegistration(requestBodyStream(c), c.req.header("content-type"), scripts.uploadPathFor));
    return c.json(script, 201);
  };

  const list: AppRouteHandler<ListRoute> = async (c) => c.json({ scripts: await scripts.list() }, 200);

  const getOne: AppRouteHandler<GetOneRoute> = async (c) => c.json(await scripts.get(c.req.valid("param").name), 200);

  const unregister: AppRouteHandler<UnregisterRoute> = async (c) => c.json(await scripts.unregister(c.req.valid("param").name), 200);

  return { register, list, getOne, unregister };
}
