import { Agent, request } from "node:http";

const BOUNDARY = "cubqueue-bench-boundary-7f3a9c";

/** A multipart form built once, sent unchanged by every request that uses it. */
export interface PreparedForm {
  body: Buffer;
  contentType: string;
}

/**
 * The form of a submit without large files: `script_name`, then `argFiles` parts
 * `arg_file` each holding `{}` as application/json (several make an array).
 */
export function prepareSubmitForm(scriptName: string, argFiles = 1): PreparedForm {
  const field = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="script_name"\r\n\r\n${scriptName}\r\n`;
  const argFile = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="arg_file"; filename="args.json"\r\nContent-Type: application/json\r\n\r\n{}\r\n`;
  return {
    body: Buffer.from(`${field}${argFile.repeat(argFiles)}--${BOUNDARY}--\r\n`),
    contentType: `multipart/form-data; boundary=${BOUNDARY}`,
  };
}

export interface SubmitClient {
  /** POST /api/task with a one-task form; resolves to the new task's id. */
  submit(form: PreparedForm): Promise<string>;
  /** POST /api/task/array; resolves to the ids of its tasks, in order. */
  submitArray(form: PreparedForm): Promise<string[]>;
  /** Closes the kept-alive connections. */
  close(): void;
}

/**
 * A cheap client for submits, so that the server's cost is what a row measures:
 * fetch with a FormData costs 1.3–1.5 ms of CPU per submit in the bench process,
 * on the same two cores as the server. This one sends a body built once over
 * node:http, with at most `connections` kept-alive connections (one per
 * concurrent caller), and parses only the JSON answer.
 */
export function submitClient(url: string, connections: number): SubmitClient {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const post = <T>(path: string, form: PreparedForm) =>
    new Promise<T>((resolve, reject) => {
      const outgoing = request(
        `${url}${path}`,
        { method: "POST", agent, headers: { "content-type": form.contentType, "content-length": String(form.body.length) } },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
          incoming.on("error", reject);
          incoming.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            if (incoming.statusCode !== 201) return reject(new Error(`POST ${path}: HTTP ${incoming.statusCode} ${text.slice(0, 300)}`));
            try {
              resolve(JSON.parse(text) as T);
            } catch (error) {
              reject(error);
            }
          });
        },
      );
      outgoing.on("error", reject);
      outgoing.end(form.body);
    });
  return {
    async submit(form) {
      const task = await post<{ task_id?: string }>("/api/task", form);
      if (typeof task.task_id !== "string") throw new Error(`POST /api/task answered without a task_id: ${JSON.stringify(task).slice(0, 200)}`);
      return task.task_id;
    },
    async submitArray(form) {
      const array = await post<{ task_ids?: string[] }>("/api/task/array", form);
      if (!Array.isArray(array.task_ids)) throw new Error(`POST /api/task/array answered without task_ids: ${JSON.stringify(array).slice(0, 200)}`);
      return array.task_ids;
    },
    close: () => agent.destroy(),
  };
}
