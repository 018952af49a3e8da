// @ts-check
// Building the page: elements made with their text set as text (a task's name, tags and log
// are the user's, never markup), and how times, durations and progress read.

/** @typedef {import("./api.js").Task} Task */

/**
 * An element with attributes (`on…` functions become listeners) and children (strings become text).
 * @param {string} tag
 * @param {Record<string, unknown>} [attributes]
 * @param {Array<Node | string | null | undefined | false>} children
 * @returns {HTMLElement}
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") element.addEventListener(name.slice(2), /** @type {EventListener} */ (value));
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) element.append(child);
  return element;
}

/** @param {string | null | undefined} iso */
export function formatTime(iso) {
  if (!iso) return "-";
  const date = new Date(iso);
  const pad = (/** @type {number} */ n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** How long it ran (or has run so far). @param {Task} task */
export function duration(task) {
  if (!task.started_at) return "-";
  const end = task.finished_at ? new Date(task.finished_at).getTime() : Date.now();
  const seconds = Math.max(0, (end - new Date(task.started_at).getTime()) / 1000);
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(Math.floor(seconds % 60)).padStart(2, "0")}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m`;
}

/** @param {Task} task */
export function exitText(task) {
  if (task.signal) return task.signal;
  return task.exit_code === null ? "-" : String(task.exit_code);
}

/** A bar and its percent, with what the script says it is doing as a tooltip. @param {Task} task */
export function progressBar(task) {
  if (!task.progress) return h("span", { class: "muted" }, "-");
  const percent = Math.max(0, Math.min(100, task.progress.percent));
  const filled = h("span");
  // Set through the style object: the page's policy refuses inline style attributes.
  filled.style.width = `${percent}%`;
  return h("span", { class: "progress", title: task.progress.message ?? "" }, h("span", { class: "bar" }, filled), ` ${Math.round(percent)}%`);
}

/** @param {string} status */
export function statusText(status) {
  return h("span", { class: `status status-${status}` }, status);
}
