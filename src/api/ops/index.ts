import type { OpsService } from "../../ops/ops-service.ts";
import { createRouter } from "../create-router.ts";
import type { AppRouteHandler } from "../types.ts";
import * as routes from "./routes.ts";
import type { HealthRoute, MetricsRoute } from "./routes.ts";

export function createOpsRouter(ops: OpsService) {
  const health: AppRouteHandler<HealthRoute> = async (c) => {
    const state = await ops.health();
    return c.json(state, state.status === "ok" ? 200 : 503);
  };
  const metrics: AppRouteHandler<MetricsRoute> = async (c) =>
    c.body(await ops.metrics(), 200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" }) as never;
  return createRouter().openapi(routes.health, health).openapi(routes.metrics, metrics);
}
