// @ts-check
// The dashboard's way to the API: openapi-fetch typed by the API's generated `paths`, so a
// changed route or shape fails `npm run typecheck` rather than the page. The token, when the
// server has one, is kept in this tab's sessionStorage and sent as a header, never in a URL.
import createClient from "openapi-fetch";

/** @typedef {import("../../client/generated/openapi.ts").paths} Paths */
/** @typedef {import("../../client/generated/openapi.ts").components["schemas"]} Schemas */
/** @typedef {Schemas["Task"]} Task */

const TOKEN_KEY = "cubqueue.token";

/** The header CubQueue's own clients send (the server's browser guard wants it on writes). */
const CLIENT_HEADER = "X-CubQueue-Client";

export function authHeaders() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  /** @type {Record<string, string>} */
  const headers = { [CLIENT_HEADER]: "dashboard" };
  if (token) headers.Authorization = `Bearer ${token}`;
  return headers;
}

/** @param {string} token */
export function rememberToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
}

/** @type {import("openapi-fetch").Client<Paths>} */
export const api = createClient({ baseUrl: "" });
api.use({
  onRequest({ request }) {
    for (const [name, value] of Object.entries(authHeaders())) request.headers.set(name, value);
    return request;
  },
});

/** The server refused the token (or there was none): the page asks for it, then tries again. */
export class NeedsToken extends Error {}

/** @type {(() => void) | undefined} */
let onNeedsToken;
/** @param {() => void} callback */
export function whenTokenNeeded(callback) {
  onNeedsToken = callback;
}

/**
 * The data of an answer, or an Error with the server's message.
 * @template T
 * @param {Promise<{ data?: T; error?: unknown; response: Response }>} request
 * @returns {Promise<T>}
 */
export async function call(request) {
  const { data, error, response } = await request;
  if (response.status === 401) {
    onNeedsToken?.();
    throw new NeedsToken("This server needs its token.");
  }
  if (!response.ok || data === undefined) {
    const message = /** @type {{ error?: { message?: string } } | undefined} */ (error)?.error?.message;
    throw new Error(message ?? `The server answered ${response.status}.`);
  }
  return data;
}

/**
 * A streamed GET (a log follow, the event stream), with the headers every request gets.
 * The path is one of the API's (checked against `paths`), its parameters filled in.
 * @param {keyof Paths} route
 * @param {{ path?: Record<string, string>; query?: Record<string, string | number>; headers?: Record<string, string>; signal?: AbortSignal }} options
 */
export async function openStream(route, { path = {}, query = {}, headers = {}, signal } = {}) {
  const response = await fetch(urlOf(route, path, query), { headers: { ...authHeaders(), ...headers }, signal });
  if (response.status === 401) {
    onNeedsToken?.();
    throw new NeedsToken("This server needs its token.");
  }
  if (!response.ok || !response.body) throw new Error(`The server answered ${response.status}.`);
  return response.body;
}

/**
 * A route of the API with its parameters filled in.
 * @param {keyof Paths} route
 * @param {Record<string, string>} path
 * @param {Record<string, string | number>} query
 */
function urlOf(route, path, query) {
  const filled = route.replace(/\{(\w+)\}/g, (_, name) => encodeURIComponent(path[name] ?? ""));
  const search = new URLSearchParams(Object.entries(query).map(([name, value]) => [name, String(value)]));
  return `${filled}${search.size ? `?${search}` : ""}`;
}

/**
 * Saves what a GET answers as a file the browser downloads (archives, the whole log). Without
 * a token, a plain link: the browser streams it to disk, however large. With one, the answer
 * is fetched with the token's header (which a link cannot carry) and handed over whole.
 * @param {keyof Paths} route
 * @param {Record<string, string>} path
 * @param {Record<string, string>} query
 * @param {string} filename
 */
export async function download(route, path, query, filename) {
  const link = document.createElement("a");
  link.download = filename;
  if (!sessionStorage.getItem(TOKEN_KEY)) {
    link.href = urlOf(route, path, query);
    link.click();
    return;
  }
  const body = await openStream(route, { path, query });
  link.href = URL.createObjectURL(await new Response(body).blob());
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
}
