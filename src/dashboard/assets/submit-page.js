// @ts-check
// Submitting a task from the browser: a script, its JSON argument file (written here or
// chosen), large files streamed from disk with the upload's progress, and its settings.
import { api, authHeaders, call } from "./api.js";
import { h } from "./view.js";

/** @typedef {import("./api.js").Paths} Paths */

/** The route the form posts to, checked against the API's paths. */
/** @type {keyof Paths} */
const SUBMIT = "/api/task";

/** @param {HTMLElement} main */
export async function showSubmit(main) {
  const { scripts } = await call(api.GET("/api/script"));
  const message = h("p", { class: "error", id: "submit-error" });
  const sent = h("span", { id: "upload-progress" });
  const bar = h("progress", { max: "1", value: "0", id: "upload-bar" });
  const form = /** @type {HTMLFormElement} */ (
    h(
      "form",
      { id: "submit", onsubmit: (/** @type {Event} */ event) => void submit(event) },
      h("label", {}, "Script", h("select", { name: "script_name", required: true }, ...scripts.map((script) => h("option", { value: script.name }, `${script.name} (version ${script.version})`)))),
      h(
        "label",
        {},
        "Argument file (JSON): <file1>, <file2>, … in its strings become the paths of the large files below, in their order",
        h("textarea", { name: "args", rows: "6", cols: "60", spellcheck: "false" }, '{"input": "<file1>"}'),
      ),
      h("label", {}, "…or an argument file from disk", h("input", { name: "arg_file_upload", type: "file", accept: ".json,application/json" })),
      h("label", {}, "Large files", h("input", { name: "large_files", type: "file", multiple: true })),
      h(
        "div",
        { class: "filters" },
        h("label", {}, "Name", h("input", { name: "name" })),
        h("label", {}, "Tags (key=value, comma-separated)", h("input", { name: "tags", placeholder: "project=beta,run=7" })),
        h("label", {}, "Retries", h("input", { name: "max_retries", type: "number", min: "0", placeholder: "0" })),
        h("label", {}, "Time limit (s)", h("input", { name: "timeout_s", type: "number", min: "1", placeholder: "none" })),
        h("label", {}, "Priority", h("input", { name: "priority", type: "number", placeholder: "0" })),
      ),
      h("div", { class: "actions" }, h("button", { type: "submit" }, "Submit"), bar, sent),
    )
  );
  main.replaceChildren(h("h2", {}, "Submit a task"), scripts.length ? form : h("p", { class: "muted" }, "Register a script first (Scripts)."), message);

  /** @param {Event} event */
  async function submit(event) {
    event.preventDefault();
    message.textContent = "";
    const fields = new FormData(form);
    const body = new FormData();
    body.set("script_name", String(fields.get("script_name")));
    for (const name of ["name", "tags", "max_retries", "timeout_s", "priority"]) {
      const value = String(fields.get(name) ?? "").trim();
      if (value) body.set(name, value);
    }
    const chosen = /** @type {File | null} */ (fields.get("arg_file_upload"));
    body.set("arg_file", chosen && chosen.size > 0 ? chosen : new File([String(fields.get("args"))], "args.json", { type: "application/json" }));
    const files = /** @type {File[]} */ (fields.getAll("large_files")).filter((file) => file.size > 0 || file.name);
    files.forEach((file, index) => body.set(`file${index + 1}`, file));
    try {
      const task = await upload(body, (loaded, total) => {
        bar.setAttribute("value", String(total ? loaded / total : 0));
        sent.textContent = `${(loaded / 1048576).toFixed(1)} of ${(total / 1048576).toFixed(1)} MiB sent`;
      });
      location.hash = `#/task/${task.task_id}`;
    } catch (error) {
      message.textContent = /** @type {Error} */ (error).message;
    }
  }
  return { onEvent() {}, onGap() {} };
}

/**
 * POSTs the submission with XMLHttpRequest, the one browser API that reports an upload's
 * progress; the browser streams the files from disk.
 * @param {FormData} body
 * @param {(loaded: number, total: number) => void} onProgress
 * @returns {Promise<{ task_id: string }>}
 */
function upload(body, onProgress) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", SUBMIT);
    for (const [name, value] of Object.entries(authHeaders())) request.setRequestHeader(name, value);
    request.upload.addEventListener("progress", (event) => onProgress(event.loaded, event.total));
    request.addEventListener("load", () => {
      let answer;
      try {
        answer = JSON.parse(request.responseText);
      } catch {
        answer = undefined;
      }
      if (request.status === 201 && answer?.task_id) resolve(answer);
      else reject(new Error(answer?.error?.message ?? `The server answered ${request.status}.`));
    });
    request.addEventListener("error", () => reject(new Error("The upload failed: the server could not be reached.")));
    request.send(body);
  });
}
