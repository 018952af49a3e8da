import { rm } from "node:fs/promises";
import type { Readable } from "node:stream";
import { badRequest, invalidScriptName } from "../../errors.ts";
import { MAX_SCRIPT_SIZE, checkScriptName, isValidScriptName, type ScriptRegistration } from "../../scripts/script-service.ts";
import { receiveMultipart } from "../multipart.ts";

/**
 * Reads a registration form (multipart: fields `name`, `desc`, `replace`, file
 * `script`), the script straight to the incoming folder. Form mistakes are
 * refused here, with the upload removed; whether the script can be stored is
 * for ScriptService.register to say.
 */
export async function receiveRegistration(
  body: Readable,
  contentType: string | undefined,
  uploadPathFor: (originalName: string) => string,
): Promise<ScriptRegistration> {
  const form = await receiveMultipart(body, contentType, {
    maxFileSize: MAX_SCRIPT_SIZE,
    maxFiles: 1,
    destinationFor(part) {
      if (part.field !== "script") {
        throw badRequest("unexpected_field", `Unexpected file field "${part.field}": send the script file as "script".`);
      }
      // Fail before the upload when the name already arrived and is unusable.
      const name = part.fields.name;
      if (name !== undefined) checkScriptName(name, part.originalName);
      return uploadPathFor(part.originalName);
    },
  });
  const file = form.files[0];
  try {
    const name = form.fields.name;
    if (name === undefined) throw badRequest("missing_field", 'Missing the field "name" (the script\'s name).');
    if (!isValidScriptName(name)) throw invalidScriptName(name);
    const replace = parseReplace(form.fields.replace);
    if (!file) throw badRequest("missing_file", 'Missing the file field "script" (the script to register).');
    return { name, desc: form.fields.desc, replace, file: { path: file.path, originalName: file.originalName, size: file.size, sha256: file.sha256 } };
  } catch (error) {
    if (file) await rm(file.path, { force: true });
    throw error;
  }
}

/** The form field `replace`: absent or "false" registers a new name, "true" stores the next version of one. */
function parseReplace(value: string | undefined): boolean {
  if (value === undefined || value === "" || value === "false") return false;
  if (value === "true") return true;
  throw badRequest("invalid_field", `Invalid replace "${value}": send true (store a new version of a registered script) or false.`);
}
