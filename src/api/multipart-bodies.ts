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
          slurm_options: {
            type: "string",
            description:
              'On a server started with `--executor slurm`: a JSON array of sbatch options passed through to each of the task\'s jobs, each whole, as `--name=value` (e.g. `["--qos=long", "--mem=4G"]`); they come after the server\'s own, so they win. Options CubQueue sets itself (--output, --job-name, --hold, …) are refused, and so is the field on a local server (400 `slurm_options_unused`).',
          },
        },
        additionalProperties: {
          ...binary,
          description: "Large files, as fields file1, file2, …; each is streamed to disk.",
        },
      },
    },
  },
};
