import type { RouteConfig } from "@hono/zod-openapi";
import { SCRIPT_NAME_PATTERN } from "../scripts/script-service.ts";

/**
 * The multipart request bodies, described as plain JSON Schema. Zod schemas here
 * would make @hono/zod-openapi add a validator that reads the whole body into
 * memory; plain objects only document it, and the handlers stream the body.
 */
type RequestBody = NonNullable<NonNullable<RouteConfig["request"]>["body"]>;

const binary = { type: "string", format: "binary" } as const;

export const registerScriptBody: RequestBody = {
  required: true,
  content: {
    "multipart/form-data": {
      schema: {
        type: "object",
        required: ["name", "script"],
        properties: {
          name: { type: "string", pattern: SCRIPT_NAME_PATTERN.source, description: "Unique: letters, digits and underscores." },
          desc: { type: "string", description: "What the script does. A replacement without one keeps the description it had." },
          replace: {
            type: "string",
            enum: ["true", "false"],
            default: "false",
            description: "true: store the script as the next version of the registered script of that name (which must exist) instead of registering a new one.",
          },
          script: {
            ...binary,
            description:
              "The script file; its extension is kept. It must say how it runs: a shebang line, an extension CubQueue knows (.py, .sh, …), or be a compiled program.",
          },
        },
      },
    },
  },
};

export const restartTaskBody: RequestBody = {
  required: false,
  content: {
    "multipart/form-data": {
      schema: {
        type: "object",
        required: ["arg_file"],
        properties: {
          arg_file: {
            ...binary,
            description: "A new JSON argument file; its `<fileN>` placeholders name the files the task already has. Without a body the task keeps its own.",
          },
        },
      },
    },
  },
};

/** A text field of a form. */
type TextField = { type: "string"; pattern?: string; enum?: string[]; description: string };

/** The run policy's fields, as submit, array and edit take them (text, as forms send them). */
const policyFields: Record<string, TextField> = {
  max_retries: { type: "string", pattern: "^[0-9]+$", description: "How many times a failed or timed-out attempt is run again (0-100; default 0). A cancel is never retried." },
  retry_delay_s: { type: "string", description: "Seconds to wait before a retry (0 to 604800; default 0)." },
  retry_backoff: { type: "string", enum: ["true", "false"], description: "true: each further retry waits twice as long as the one before." },
  timeout_s: { type: "string", description: "How long one attempt may run, in seconds (0.001 to 31536000): then TERM, KILL after the grace, and it fails. An edit may send \"none\" to remove the limit." },
};

/** The scheduling fields, as submit, array and edit take them. */
const schedulingFields = {
  priority: { type: "string", pattern: "^-?[0-9]+$", description: "Higher starts first (-1000000 to 1000000; default 0); equal ones oldest first." },
  after: { type: "string", description: "Task ids, comma-separated: start only once each has succeeded. A failure or cancel of one cancels this task." },
  after_any: { type: "string", description: "Task ids, comma-separated: start only once each has ended, however." },
  cpus: { type: "string", pattern: "^[0-9]+$", description: "The CPU slots each attempt takes (default 1; at most the server's `--cpus`)." },
  gpus: { type: "string", pattern: "^[0-9]+$", description: "How many GPUs each attempt takes (default 0; at most the server's). It gets CUDA_VISIBLE_DEVICES and CUBQUEUE_GPUS naming its own." },
  env: { type: "string", description: 'Variables for every attempt, as a JSON object of strings, e.g. {"OMP_NUM_THREADS": "4"}. Names starting with CUBQUEUE_ are refused.' },
  name: { type: "string", description: "A name for people (one line, at most 200 characters), shown by list and status and filtered on." },
  tags: { type: "string", description: 'Labels, as a JSON object of strings ({"project": "beta"}) or key=value pairs separated by commas; keys are 1-64 letters, digits, _ . or -.' },
  notify_url: { type: "string", description: "An http(s) URL: it is sent the task as JSON (POST) when the task finishes (or, with notify_on all, at every change of its state)." },
  notify_on: { type: "string", enum: ["finish", "all"], description: "When notify_url is called: finish (default) or all." },
} satisfies Record<string, TextField>;

/** sbatch options for the task's jobs, on a Slurm server. */
const slurmOptionsField: TextField = {
  type: "string",
  description:
    'On a server started with `--executor slurm`: a JSON array of sbatch options passed through to each of the task\'s jobs, each whole, as `--name=value` (e.g. `["--qos=long", "--mem=4G"]`); they come after the server\'s own, so they win. Options CubQueue sets itself (--output, --job-name, --hold, …) are refused, and so is the field on a local server (400 `slurm_options_unused`).',
};

const hold: TextField = { type: "string", enum: ["true", "false"], description: "true: the task is held (it starts only once released)." };

/**
 * The large-file fields of a submission: each fileN is sent as a file part, or named by
 * the sha256 of content the server stores already (fileN_sha256, with fileN_name), so
 * that it crosses the network once however many tasks use it.
 */
function largeFileFields(description: string) {
  return {
    "^file[1-9][0-9]*$": { ...binary, description },
    "^file[1-9][0-9]*_sha256$": {
      type: "string" as const,
      pattern: "^[0-9a-fA-F]{64}$",
      description:
        "Instead of the file part fileN: the sha256 of content the server stores (GET /api/blob/{sha256} says whether it does; a resumable upload at /api/upload stores one). The task gets a link to it; 400 `blob_not_found` if the server does not have it.",
    },
    "^file[1-9][0-9]*_name$": { type: "string" as const, description: "With fileN_sha256: the file's name, whose extension the task's copy keeps (default: none)." },
  };
}

export const submitTaskBody: RequestBody = {
  required: true,
  content: {
    "multipart/form-data": {
      schema: {
        type: "object",
        required: ["script_name", "arg_file"],
        properties: {
          script_name: { type: "string", description: "A registered script." },
          arg_file: { ...binary, description: "The JSON argument file. `<fileN>` in its string values becomes the path of fileN." },
          ...policyFields,
          ...schedulingFields,
          hold,
          slurm_options: slurmOptionsField,
        },
        patternProperties: largeFileFields("Large files, as fields file1, file2, …; each is streamed to disk and stored once per content."),
      },
    },
  },
};

export const submitArrayBody: RequestBody = {
  required: true,
  content: {
    "multipart/form-data": {
      schema: {
        type: "object",
        required: ["script_name"],
        properties: {
          script_name: { type: "string", description: "A registered script." },
          arg_file: {
            type: "array",
            items: binary,
            description: "Argument files, one task each, in order (repeat the field). `<fileN>` in each names the shared fileN.",
          },
          arg_lines: { ...binary, description: "A JSON-lines file: each non-blank line is the argument file of one more task." },
          max_running: { type: "string", pattern: "^[0-9]+$", description: "At most this many of the array's tasks run at once (default: no limit)." },
          slurm_options: slurmOptionsField,
          ...policyFields,
          ...schedulingFields,
          hold,
        },
        patternProperties: largeFileFields(
          "Large files shared by every task of the array, as fields file1, file2, …: uploaded once and stored once (read-only, hard-linked into each task's files/).",
        ),
      },
    },
  },
};

const editProperties: Record<string, TextField> = {
  ...policyFields,
  ...schedulingFields,
  after: { ...schedulingFields.after, description: `${schedulingFields.after.description} Given (with or without after_any), it replaces everything the task waited for; empty: nothing.` },
};

export const editTaskBody: RequestBody = {
  required: true,
  content: {
    "multipart/form-data": {
      schema: {
        type: "object",
        properties: {
          ...editProperties,
          arg_file: { ...binary, description: "A new JSON argument file; its `<fileN>` placeholders name the files the task already has." },
        },
      },
    },
    "application/json": {
      schema: {
        type: "object",
        description: "The same fields as the form (strings or numbers), without a new argument file.",
        properties: editProperties,
      },
    },
  },
};
