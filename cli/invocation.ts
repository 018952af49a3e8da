/**
 * How the user runs cubqueue, so that the commands CubQueue suggests ("stop it with …",
 * "start one with …") can be pasted as they are: `npx cubqueue` when npx ran it (npm says so
 * in npm_lifecycle_event), `deno task cubqueue` on Deno (its tasks are how the README runs
 * it there; `npx deno task cubqueue` when npx ran that), and plain `cubqueue` otherwise (a
 * global install, `npm link`, or PATH).
 */
export function invokedAs(env: NodeJS.ProcessEnv, onDeno = "Deno" in globalThis): string {
  const viaNpx = env.npm_lifecycle_event === "npx";
  if (onDeno) return viaNpx ? "npx deno task cubqueue" : "deno task cubqueue";
  return viaNpx ? "npx cubqueue" : "cubqueue";
}
