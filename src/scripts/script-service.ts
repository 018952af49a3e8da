import { randomUUID } from "node:crypto";
import { chmod, rename, rm } from "node:fs/promises";
import type { Readable } from "node:stream";
import { findScript, insertScript, listScripts } from "../db/queries/scripts.ts";
import type { Database } from "../db/open.ts";
import { badRequest, invalidScriptName, reservedScriptName, scriptNameTaken } from "../errors.ts";
import { writeFileAtomic } from "../store/atomic-write.ts";
import { safeExtension } from "../store/file-names.ts";
import { EXECUTABLE_SCRIPT_MODE, reservedScriptFilename, type Layout } from "../store/layout.ts";
import { receiveMultipart, type ReceivedFile } from "../store/multipart.ts";
import { createKeyedLock } from "../util/keyed-lock.ts";
import { toScriptView, type ScriptView } from "./script-view.ts";

/** What a script name may be: it becomes a file name under scripts/. */
export const SCRIPT_NAME_PATTERN = /^[A-Za-z0-9_]{1,64}$/;
const MAX_SCRIPT_SIZE = 64 * 1024 * 1024;

export function isValidScriptName(name: string): boolean {
  return SCRIPT_NAME_PATTERN.test(name);
}

/** The file name a script is stored under: its name plus the uploaded file's extension. */
function scriptFilename(name: string, originalName: string): string {
  return `${name}${safeExtension(originalName)}`;
}

/** Refuses a name that is malformed or would be stored over one of CubQueue's own files. */
function checkName(name: string, originalName: string): void {
  if (!isValidScriptName(name)) throw invalidScriptName(name);
  const filename = scriptFilename(name, originalName);
  const reserved = reservedScriptFilename(filename);
  if (reserved) throw reservedScriptName(filename, reserved);
}

export interface ScriptServiceDeps {
  db: Database;
  layout: Layout;
  now?: () => Date;
}

export type ScriptService = ReturnType<typeof createScriptService>;

export function createScriptService({ db, layout, now = () => new Date() }: ScriptServiceDeps) {
  const withNameLock = createKeyedLock();

  /** Receives the multipart registration form: fields `name`, `desc`, file `script`. */
  async function receiveRegistration(body: Readable, contentType: string | undefined) {
    const form = await receiveMultipart(body, contentType, {
      maxFileSize: MAX_SCRIPT_SIZE,
      maxFiles: 1,
      destinationFor(part) {
        if (part.field !== "script") {
          throw badRequest("unexpected_field", `Unexpected file field "${part.field}": send the script file as "script".`);
        }
        // Fail before the upload when the name already arrived and is unusable.
        const name = part.fields.name;
        if (name !== undefined) checkName(name, part.originalName);
        return layout.incomingUpload(`${randomUUID()}${safeExtension(part.originalName)}`);
      },
    });
    return { fields: form.fields, file: form.files[0] };
  }

  async function register(body: Readable, contentType: string | undefined): Promise<ScriptView> {
    const { fields, file } = await receiveRegistration(body, contentType);
    try {
      const name = fields.name;
      if (name === undefined) throw badRequest("missing_field", 'Missing the field "name" (the script\'s name).');
      if (!isValidScriptName(name)) throw invalidScriptName(name);
      if (!file) throw badRequest("missing_file", 'Missing the file field "script" (the script to register).');
      checkName(name, file.originalName);
      if (file.size === 0) throw badRequest("empty_script", `The uploaded script "${file.originalName}" is empty.`);
      return await withNameLock(name, () => store(name, fields.desc ?? "", file));
    } finally {
      if (file) await rm(file.path, { force: true });
    }
  }

  async function store(name: string, desc: string, file: ReceivedFile): Promise<ScriptView> {
    if (await findScript(db, name)) throw scriptNameTaken(name);
    const filename = scriptFilename(name, file.originalName);
    const scriptFile = layout.scriptFile(filename);
    const descFile = layout.scriptDescFile(name);
    const row = { name, desc, filename, sha256: file.sha256, size: file.size, createdAt: now(), version: 1 };
    // Files first, row last: the row is what makes the script exist, so a crash in
    // between leaves at most an unreferenced file that the next registration replaces.
    await rename(file.path, scriptFile);
    try {
      await chmod(scriptFile, EXECUTABLE_SCRIPT_MODE);
      await writeFileAtomic(descFile, desc);
      if (!(await insertScript(db, row))) throw scriptNameTaken(name);
    } catch (error) {
      await Promise.all([rm(scriptFile, { force: true }), rm(descFile, { force: true })]);
      throw error;
    }
    return toScriptView(row);
  }

  return {
    register,
    async list(): Promise<ScriptView[]> {
      return (await listScripts(db)).map(toScriptView);
    },
  };
}
