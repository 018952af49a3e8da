import { randomUUID } from "node:crypto";
import { chmod, rm } from "node:fs/promises";
import { findScript, listScriptVersions, listScripts } from "../db/queries/scripts.ts";
import type { Database } from "../db/open.ts";
import type { ScriptRow } from "../db/schema.ts";
import {
  badRequest,
  invalidScriptName,
  nothingToReplace,
  reservedScriptName,
  scriptFileMismatch,
  scriptFileMissing,
  scriptNameTaken,
  scriptNotFound,
  scriptNotRunnable,
} from "../errors.ts";
import { knownExtensions, launchRuleFor, readScriptHead } from "../runner/launch-rule.ts";
import { sha256OfFile } from "../store/file-digest.ts";
import { fileState } from "../store/file-state.ts";
import { stepsHere, type FsStep, type FsStepError, type FsSteps } from "../store/fs-steps.ts";
import { safeExtension } from "../store/file-names.ts";
import type { UploadedFile } from "../store/uploaded-file.ts";
import { EXECUTABLE_SCRIPT_MODE, reservedScriptFilename, type Layout } from "../store/layout.ts";
import { createKeyedLock } from "../util/keyed-lock.ts";
import { toScriptDetailView, toScriptView, type ScriptDetailView, type ScriptView } from "./script-view.ts";
import { removeScript, storeFirstVersion, storeNextVersion } from "./store-script.ts";

/** What a script name may be: it becomes a file name under scripts/. */
export const SCRIPT_NAME_PATTERN = /^[A-Za-z0-9_]{1,64}$/;
/** The largest script accepted. */
export const MAX_SCRIPT_SIZE = 64 * 1024 * 1024;

export function isValidScriptName(name: string): boolean {
  return SCRIPT_NAME_PATTERN.test(name);
}

/** The file name a script is stored under: its name plus the uploaded file's extension. */
function scriptFilename(name: string, originalName: string): string {
  return `${name}${safeExtension(originalName)}`;
}

/** Refuses a name that is malformed or would be stored over one of CubQueue's own files. */
export function checkScriptName(name: string, originalName: string): void {
  if (!isValidScriptName(name)) throw invalidScriptName(name);
  const filename = scriptFilename(name, originalName);
  const reserved = reservedScriptFilename(filename);
  if (reserved) throw reservedScriptName(filename, reserved);
}

/** Refuses a script that nothing could run, by the rule the runner follows (see runner/launch-rule.ts). */
async function checkRunnable(filename: string, file: UploadedFile): Promise<void> {
  if (launchRuleFor(filename, await readScriptHead(file.path)).kind === "none") throw scriptNotRunnable(filename, knownExtensions());
}

/** A script to register, its form already read (see api/scripts/receive-registration.ts). */
export interface ScriptRegistration {
  name: string;
  /** Absent: a new script has none, a replacement keeps the one it had. */
  desc: string | undefined;
  /** Store the next version of a registered name, rather than register a new one. */
  replace: boolean;
  /** The uploaded script, received into the incoming folder. */
  file: UploadedFile;
}

export interface ScriptServiceDeps {
  db: Database;
  layout: Layout;
  /** Copies scripts for tasks off the event loop (by default, on it). */
  fsSteps?: Pick<FsSteps, "run">;
  now?: () => Date;
}

export type ScriptService = ReturnType<typeof createScriptService>;

/** Where a task's copy of a script goes, and the steps that make its place (see copyForTask). */
export interface ScriptPlace {
  destination: string;
  before?: readonly FsStep[];
  /** Steps carried out in the same list once the copy is made: moving its folder into place. */
  after?: readonly FsStep[];
  /** Where the copy is once `after` was carried out (it moved with its folder); `destination` by default. */
  movedTo?: string;
}

export function createScriptService({ db, layout, fsSteps = stepsHere, now = () => new Date() }: ScriptServiceDeps) {
  /**
   * Everything that reads or writes a script's files and row takes its name's lock:
   * registering, replacing, unregistering, and the copy a submission takes, so a
   * copy and the version it is recorded as always match.
   */
  const withNameLock = createKeyedLock();
  /**
   * The current row of each script this server has looked up. One server owns a
   * base dir and every write goes through here under the lock, so it stays true;
   * a submission need not ask the database each time.
   */
  const known = new Map<string, ScriptRow>();
  /**
   * Each stored script file whose bytes were hashed and found to be its row's
   * version, with its file identity then (see fileState): while the identity is
   * the same, a copy of it needs no hashing, so a submission costs one stat
   * instead of reading the script again.
   */
  const verified = new Map<string, string>();

  /** Hashes a stored script and, if it is its row's version and did not change meanwhile, remembers so. */
  async function verifyStored(row: ScriptRow, source: string): Promise<void> {
    const before = await fileState(source).catch(() => undefined);
    const matches = before !== undefined && (await sha256OfFile(source).catch(() => undefined)) === row.sha256;
    const after = matches ? await fileState(source).catch(() => undefined) : undefined;
    if (after !== undefined && after.identity === before?.identity) verified.set(row.filename, `${row.sha256}@${after.identity}`);
  }

  async function currentRow(name: string): Promise<ScriptRow | undefined> {
    const cached = known.get(name);
    if (cached) return cached;
    const row = await findScript(db, name);
    if (row) known.set(name, row);
    return row;
  }

  /**
   * Registers a new script (version 1), or with `replace` stores the next
   * version of a registered one. Takes the uploaded file over: it is moved
   * into scripts/, or removed when the registration is refused.
   */
  async function register({ name, desc, replace, file }: ScriptRegistration): Promise<ScriptView> {
    try {
      checkScriptName(name, file.originalName);
      if (file.size === 0) throw badRequest("empty_script", `The uploaded script "${file.originalName}" is empty.`);
      const filename = scriptFilename(name, file.originalName);
      await checkRunnable(filename, file);
      const upload = { filename, sha256: file.sha256, size: file.size, createdAt: now() };
      return await withNameLock(name, async () => {
        const previous = await currentRow(name);
        if (replace && !previous) throw nothingToReplace(name);
        if (!replace && previous) throw scriptNameTaken(name);
        if (!previous) {
          const row = { name, desc: desc ?? "", ...upload, version: 1 };
          await storeFirstVersion({ db, layout }, row, file.path);
          known.set(name, row);
          return toScriptView(row);
        }
        // A replacement without a description keeps the one it had.
        const row = { name, desc: desc ?? previous.desc, ...upload, version: previous.version + 1 };
        await storeNextVersion({ db, layout }, previous, row, file.path);
        known.set(name, row);
        return toScriptView(row);
      });
    } finally {
      await rm(file.path, { force: true });
    }
  }

  /** A script with every version it has had, the newest first. */
  async function get(name: string): Promise<ScriptDetailView> {
    const row = isValidScriptName(name) ? await findScript(db, name) : undefined;
    if (!row) throw scriptNotFound(name);
    return toScriptDetailView(row, await listScriptVersions(db, name));
  }

  /**
   * Removes a script: its file, its description and its rows. Tasks already
   * submitted run their own copies, so they keep running and can be restarted.
   * Answers with the script as it was.
   */
  async function unregister(name: string): Promise<ScriptDetailView> {
    return withNameLock(name, async () => {
      const row = isValidScriptName(name) ? await currentRow(name) : undefined;
      if (!row) throw scriptNotFound(name);
      const detail = toScriptDetailView(row, await listScriptVersions(db, name));
      known.delete(name);
      if (!(await removeScript({ db, layout }, row))) throw scriptNotFound(name);
      return detail;
    });
  }

  /**
   * Copies a script's current version for a task to the destination `placeFor(script)`
   * names (it may refuse the script by throwing), after the steps it gives (those that
   * make the folder: one list of steps for both), and answers with the row of the
   * version copied. The copy's sha256 is checked against the row: a file changed
   * behind CubQueue's back is refused, never run as a version it is not.
   */
  async function copyForTask(name: string, placeFor: (script: ScriptRow) => ScriptPlace): Promise<ScriptRow> {
    return withNameLock(name, async () => {
      const row = await currentRow(name);
      if (!row) throw scriptNotFound(name);
      const { destination, before = [], after = [], movedTo = destination } = placeFor(row);
      const source = layout.scriptFile(row.filename);
      if (!verified.get(row.filename)?.startsWith(`${row.sha256}@`)) await verifyStored(row, source);
      // The copy, then the stored file's identity: the same identity as when it was hashed means
      // nothing changed the file since, the copy included (any write changes the ctime, which
      // nothing can set back), so the copy is that version.
      const steps: FsStep[] = [...before, { op: "copy", from: source, to: destination }, { op: "stat", path: source, bestEffort: true }, ...after];
      const [copied, state] = await fsSteps.run(steps).then(
        (results) => [true, results[before.length + 1]] as const,
        (error: FsStepError) => (error.code === "ENOENT" && error.completed === before.length ? ([false, undefined] as const) : Promise.reject(error)),
      );
      const vouched = state !== undefined && verified.get(row.filename) === `${row.sha256}@${state.identity}`;
      if (!copied) throw scriptFileMissing(name, row.filename);
      if (!vouched && (await sha256OfFile(movedTo)) !== row.sha256) {
        verified.delete(row.filename);
        await rm(movedTo, { force: true });
        throw scriptFileMismatch(name, row.version);
      }
      // The copy keeps the stored script's mode; one stored by an older CubQueue was not executable.
      if (state === undefined || (state.mode & EXECUTABLE_SCRIPT_MODE) !== EXECUTABLE_SCRIPT_MODE) await chmod(movedTo, EXECUTABLE_SCRIPT_MODE);
      return row;
    });
  }

  return {
    /** Where an uploaded script is received before it is registered. */
    uploadPathFor: (originalName: string) => layout.incomingUpload(`${randomUUID()}${safeExtension(originalName)}`),
    register,
    get,
    unregister,
    copyForTask,
    /** Whether a script of this name is registered (a submission is refused 404 before anything else is checked). */
    isRegistered: async (name: string): Promise<boolean> => (await currentRow(name)) !== undefined,
    async list(): Promise<ScriptView[]> {
      return (await listScripts(db)).map(toScriptView);
    },
  };
}
