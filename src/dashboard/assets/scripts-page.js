// @ts-check
// The registered scripts, each at its current version, and a form to register one (or a new
// version of one).
import { api, call } from "./api.js";
import { formatTime, h } from "./view.js";

/** @param {HTMLElement} main */
export async function showScripts(main) {
  const { scripts } = await call(api.GET("/api/script"));
  const message = h("p", { class: "error", id: "register-error" });
  const form = /** @type {HTMLFormElement} */ (
    h(
      "form",
      { id: "register", class: "filters", onsubmit: (/** @type {Event} */ event) => void register(event) },
      h("label", {}, "Name", h("input", { name: "name", required: true, pattern: "[A-Za-z0-9_]+", title: "letters, digits and underscores" })),
      h("label", {}, "Description", h("input", { name: "desc" })),
      h("label", {}, "Script file", h("input", { name: "script", type: "file", required: true })),
      h("label", {}, "A new version of it", h("input", { name: "replace", type: "checkbox", value: "true" })),
      h("button", { type: "submit" }, "Register"),
    )
  );

  /** @param {Event} event */
  async function register(event) {
    event.preventDefault();
    message.textContent = "";
    const data = new FormData(form);
    try {
      await call(
        api.POST("/api/script", {
          // The browser writes the multipart body (and streams the file) from the form as it is.
          body: /** @type {any} */ (data),
          bodySerializer: (body) => /** @type {FormData} */ (/** @type {unknown} */ (body)),
        }),
      );
      await showScripts(main);
    } catch (error) {
      message.textContent = /** @type {Error} */ (error).message;
    }
  }

  const versions = h("div", { id: "versions" });
  /** Every version a script has had, newest first, with its checksum. @param {string} name */
  async function showVersions(name) {
    const detail = await call(api.GET("/api/script/{name}", { params: { path: { name } } }));
    versions.replaceChildren(
      h("h2", {}, `Versions of ${detail.name}`),
      h(
        "table",
        {},
        h("thead", {}, h("tr", {}, ...["Version", "File", "Size", "sha256", "Since"].map((title) => h("th", {}, title)))),
        h("tbody", {}, ...detail.versions.map((version) => h("tr", { "data-version": String(version.version) }, h("td", {}, String(version.version)), h("td", {}, version.filename), h("td", {}, `${version.size} bytes`), h("td", {}, version.sha256), h("td", {}, formatTime(version.created_at))))),
      ),
    );
  }
  const rows = scripts.map((script) =>
    h(
      "tr",
      { "data-script": script.name },
      h("td", {}, h("a", { href: "#/scripts", onclick: (/** @type {Event} */ event) => (event.preventDefault(), void showVersions(script.name)) }, script.name)),
      h("td", {}, String(script.version)),
      h("td", {}, script.desc),
      h("td", {}, script.filename),
      h("td", {}, formatTime(script.created_at)),
    ),
  );
  main.replaceChildren(
    h("h2", {}, "Scripts"),
    rows.length
      ? h("table", { id: "scripts" }, h("thead", {}, h("tr", {}, ...["Name", "Version", "Description", "File", "Since"].map((title) => h("th", {}, title)))), h("tbody", {}, ...rows))
      : h("p", { class: "muted" }, "No scripts yet."),
    versions,
    h("h2", {}, "Register a script"),
    form,
    message,
  );
  return { onEvent() {}, onGap() {} };
}
