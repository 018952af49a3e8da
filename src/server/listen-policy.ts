import { isIP } from "node:net";
import type { ServerConfig } from "../config.ts";
import { AppError } from "../errors.ts";

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "");
  if (bare === "localhost" || bare === "::1") return true;
  return isIP(bare) === 4 && bare.startsWith("127.");
}

/**
 * Anyone who reaches the API can run the registered scripts and read every
 * task's files, so a server reachable from other machines needs a token,
 * unless its operator says (--insecure) that the network itself is trusted.
 */
export function checkListenPolicy(config: Pick<ServerConfig, "host" | "token" | "insecure">): void {
  if (isLoopback(config.host) || config.token !== undefined || config.insecure) return;
  throw new AppError(
    400,
    "token_required",
    `Refusing to listen on ${config.host} without a token: anyone who can reach it could run scripts and read every task's files. ` +
      "Set one with --token (or CUBQUEUE_TOKEN), or pass --insecure if this network is trusted.",
  );
}
