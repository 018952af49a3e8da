/**
 * Requests that are wrong in one way each, generated from the OpenAPI
 * document: every operation's path parameters, query parameters and
 * multipart body fields get malformed, missing, oversized and wrongly typed
 * values. A new endpoint or field is covered as soon as it is in the document.
 */

interface Schema {
  type?: string;
  format?: string;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  pattern?: string;
  required?: string[];
  properties?: Record<string, Schema>;
  $ref?: string;
}

interface Parameter {
  name: string;
  in: "path" | "query";
  schema: Schema;
}

interface Operation {
  parameters?: Parameter[];
  responses?: Record<string, unknown>;
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

export interface BadRequest {
  label: string;
  method: string;
  path: string;
  init: RequestInit;
  /** The statuses the operation declares in the document: the only ones it may answer with. */
  declared: string[];
}

/** Values that fit a field, so that a case is wrong only where it means to be. */
export interface ValidValues {
  pathParameter: string;
  /** Text fields by name (a field not listed gets "value"). */
  text: Record<string, string>;
  /** File fields by name: file name and content (a field not listed gets a small text file). */
  files: Record<string, { name: string; content: string }>;
}

const BAD_PATH_VALUES = [
  "not-a-task",
  "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
  "..%2F..%2Fcubqueue.db",
  "x".repeat(3000),
  "00000000-0000-4000-8000-000000000000",
  "'%3B DROP TABLE tasks%3B--",
  "%C3%A9%00",
];

export function badRequests(document: OpenApiDocument, valid: ValidValues): BadRequest[] {
  const cases: BadRequest[] = [];
  for (const [template, methods] of Object.entries(document.paths)) {
    for (const [lowerMethod, operation] of Object.entries(methods)) {
      const method = lowerMethod.toUpperCase();
      const parameters = operation.parameters ?? [];
      const fill = (path: string, value: string) => path.replace(/\{[^}]+\}/g, value);
      const validPath = fill(template, valid.pathParameter);
      const declared = Object.keys(operation.responses ?? {});
      const casesBefore = cases.length;

      if (parameters.some((parameter) => parameter.in === "path")) {
        for (const value of BAD_PATH_VALUES) {
          cases.push({ label: `${method} ${template} with path parameter "${value.slice(0, 40)}"`, method, path: fill(template, value), init: { method }, declared });
        }
      }
      for (const parameter of parameters.filter((candidate) => candidate.in === "query")) {
        for (const value of badValuesFor(resolve(document, parameter.schema))) {
          const query = `${parameter.name}=${encodeURIComponent(value)}`;
          cases.push({ label: `${method} ${template}?${query.slice(0, 60)}`, method, path: `${validPath}?${query}`, init: { method }, declared });
        }
      }
      const multipart = operation.requestBody?.content["multipart/form-data"]?.schema;
      const bodyRequired = operation.requestBody?.required === true;
      if (multipart) cases.push(...badMultipartBodies(method, validPath, resolve(document, multipart), valid, bodyRequired));
      for (const added of cases.slice(casesBefore)) added.declared = declared;
    }
  }
  return cases;
}

function resolve(document: OpenApiDocument, schema: Schema): Schema {
  if (!schema.$ref) return schema;
  return document.components?.schemas?.[schema.$ref.split("/").at(-1)!] ?? schema;
}

/** Values a query parameter with this schema must refuse. */
function badValuesFor(schema: Schema): string[] {
  if (schema.enum) return ["bogus", "", schema.enum[0]!.toUpperCase() + "x", "x".repeat(3000)];
  if (schema.type === "integer" || schema.type === "number") {
    const values = ["abc", "1.5x", "99999999999999999999999", " ", "[1]"];
    if (schema.type === "integer") values.push("1.5");
    if (schema.minimum !== undefined) values.push(String(schema.minimum - 1));
    if (schema.maximum !== undefined) values.push(String(schema.maximum + 1));
    return values;
  }
  // A string accepts anything unless its schema says otherwise.
  if (!schema.pattern) return [];
  const pattern = new RegExp(schema.pattern);
  return ["../../bad name", "-1", "", "x".repeat(3000)].filter((value) => !pattern.test(value));
}

function badMultipartBodies(method: string, path: string, schema: Schema, valid: ValidValues, bodyRequired: boolean): BadRequest[] {
  const fields = Object.entries(schema.properties ?? {});
  const isFile = (field: Schema) => field.format === "binary";
  const textOf = (name: string) => valid.text[name] ?? "value";
  const fileOf = (name: string) => valid.files[name] ?? { name: "data.txt", content: "data" };
  /** A valid form, changed by `change` for one field. */
  const form = (change: (name: string, field: Schema, form: FormData) => boolean = () => false) => {
    const body = new FormData();
    for (const [name, field] of fields) {
      if (change(name, field, body)) continue;
      if (isFile(field)) body.set(name, new Blob([fileOf(name).content]), fileOf(name).name);
      else body.set(name, textOf(name));
    }
    return body;
  };
  // The operation's declared statuses are filled in by badRequests.
  const at = (label: string, init: RequestInit): BadRequest => ({ label: `${method} ${path}: ${label}`, method, path, init: { method, ...init }, declared: [] });

  const cases = [
    // No body at all is a request of its own where the body is optional (a restart keeps its argument file).
    ...(bodyRequired ? [at("no body", {})] : []),
    at("a JSON body", { body: JSON.stringify(Object.fromEntries(fields.map(([name]) => [name, textOf(name)]))), headers: { "Content-Type": "application/json" } }),
    at("a text body", { body: "name=x", headers: { "Content-Type": "text/plain" } }),
    at("an url-encoded form", { body: new URLSearchParams(fields.map(([name]) => [name, textOf(name)])) }),
    at("multipart without a boundary", { body: "--x\r\n\r\n--x--\r\n", headers: { "Content-Type": "multipart/form-data" } }),
    at("an empty multipart body", { body: "", headers: { "Content-Type": "multipart/form-data; boundary=x" } }),
    at("garbage under a multipart type", { body: "\u0000\u0001garbage".repeat(100), headers: { "Content-Type": "multipart/form-data; boundary=x" } }),
    at("a truncated multipart body", {
      body: '--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nhalf',
      headers: { "Content-Type": "multipart/form-data; boundary=x" },
    }),
    at("an empty form", { body: new FormData() }),
  ];
  for (const name of schema.required ?? []) {
    cases.push(at(`without the required field "${name}"`, { body: form((candidate) => candidate === name) }));
  }
  for (const [name, field] of fields) {
    if (isFile(field)) {
      cases.push(at(`"${name}" sent as text instead of a file`, { body: form((candidate, _, body) => candidate === name && (body.set(name, "text"), true)) }));
    } else {
      cases.push(at(`"${name}" sent as a file instead of text`, {
        body: form((candidate, _, body) => candidate === name && (body.set(name, new Blob([textOf(name)]), "field.txt"), true)),
      }));
      cases.push(at(`"${name}" of 2 MiB`, { body: form((candidate, _, body) => candidate === name && (body.set(name, "x".repeat(2 * 1024 * 1024)), true)) }));
      if (field.pattern) {
        cases.push(at(`"${name}" not matching ${field.pattern}`, { body: form((candidate, _, body) => candidate === name && (body.set(name, "../../bad name"), true)) }));
      }
    }
  }
  const crowded = form();
  for (let index = 0; index < 1001; index++) crowded.append(`extra${index}`, "x");
  cases.push(at("a thousand and one extra fields", { body: crowded }));
  return cases;
}
