import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import { basename, join } from "node:path";
import { markUploadsUsed } from "../db/queries/blobs.ts";
import { insertTasks, type TaskRecord } from "../db/queries/tasks.ts";
import type { Database } from "../db/open.ts";
import { TaskStatus, type NewTaskRow, type ScriptRow, type TaskFileRow, type TaskRow } from "../db/schema.ts";
import { blobNotFound, scriptNameReserved, scriptNotFound } from "../errors.ts";
import type { RunPolicy } from "../lifecycle/run-policy.ts";
import type { ScriptPlace } from "../scripts/script-service.ts";
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, reservedScriptFilename, type Layout } from "../store/layout.ts";
import type { BlobStore } from "../store/blob-store.ts";
import { safeExtension } from "../store/file-names.ts";
import { runCoalesced, type FsStep, type FsStepError, type FsSteps } from "../store/fs-steps.ts";
import { isUploaded, type LargeFile } from "../store/uploaded-file.ts";
import { mapInBatches } from "../util/map-in-batches.ts";
import { checkArgFile, checkPlaceholders } from "./arg-file.ts";
import { checkDependencies, checkSlots, type ServerSlots } from "./check-settings.ts";
import { resolvePlaceholders } from "./placeholders.ts";
import { dependencyRows, settingsRow, tagRows } from "./settings-rows.ts";
import type { TaskSettings } from "./task-settings.ts";

/** Large files are numbered file1 … file1000: as many as one submission may upload. */
export const MAX_LARGE_FILES = 1000;
/** The most tasks one array submission makes. */
export const MAX_ARRAY_SIZE = 10_000;
/** How many tasks' large files are linked at once: enough to keep the disk busy, few enough to leave the server answering. */
const FOLDERS_AT_ONCE = 16;
/**
 * How many task folders one list of steps builds, moves or unmarks: one message instead of
 * hundreds, yet short enough that another submission's list never waits long behind it.
 */
const FOLDERS_PER_LIST = 64;

/** An argument file as sent: the script gets these bytes with only the placeholders replaced. */
export interface ArgFile {
  bytes: Buffer;
  /** Names it in error messages (the client's file name, or the line of a JSON-lines file). */
  name: string;
}

/**
 * What tasks are made from, however it arrived: a multipart form
 * (api/tasks/receive-submission.ts), or CubQueue itself. One argument file
 * makes one task; several make an array, whose tasks share the large files.
 */
export interface Submission {
  scriptName: string;
  argFiles: readonly ArgFile[];
  /**
   * The large files by number (file1 is 1): received with the submission, or named by the
   * sha256 of stored content. Received ones are taken over: stored, or removed when refused.
   */
  largeFiles: ReadonlyMap<number, LargeFile>;
  policy: RunPolicy;
  settings: TaskSettings;
  /**
   * Made as an array (POST /api/task/array, even of one argument file): the tasks share
   * the large files, and at most `maxRunning` of them run at once (null: no limit).
   */
  array?: { maxRunning: number | null };
  /** sbatch options for the tasks' jobs, checked (see slurm-options.ts); none by default. */
  slurmOptions?: readonly string[];
}

export interface SubmitDeps {
  db: Database;
  layout: Layout;
  /** Where the large files are kept, once per content; tasks get links to them. */
  blobs: BlobStore;
  /** This server's instance: its base dir holds the folder, so only it runs the task. */
  home: string;
  /** What this server can give a task: asking for more is refused. */
  slots: () => ServerSlots;
  /**
   * Copies a registered script's current version to the place `placeFor` gives
   * (which may refuse it), after the steps that make that place, and answers with the version copied; see
   * ScriptService.copyForTask. It takes the script's lock, so a replace running
   * meanwhile never makes a task record a version other than the one it copied.
   */
  copyScript: (name: string, placeFor: (script: ScriptRow) => ScriptPlace) => Promise<ScriptRow>;
  /** Whether the script is registered: an unknown one is refused (404) before its argument file is read. */
  isRegistered: (name: string) => Promise<boolean>;
  /** Carries out the steps that build task folders, off the event loop. */
  fsSteps: Pick<FsSteps, "run">;
  now: () => Date;
  /**
   * Told of the tasks as soon as their rows exist, before anything else is awaited: a runner
   * that is filling may claim them at the next turn, and their "submitted" event must come
   * before their first change of state.
   */
  onStored?: (tasks: TaskRow[]) => void;
}

/** What a submission made: its tasks as stored (queued or held, no attempt yet), and its array's id if it made one. */
export interface Submitted {
  records: TaskRecord[];
  arrayId: string | null;
}

/**
 * Makes tasks of a submission: checks it whole (a file named by hash must be
 * stored), stores the received large files in the blob store (once per content),
 * builds each task's folder in a staging place (the script's copy, the argument
 * file, the large files hard-linked read-only from the store), and only then
 * moves the folders into tasks/ and records the tasks, all in one write. Any
 * failure removes the staged folders, the uploads and the blobs it stored: a
 * refused submission leaves nothing behind.
 */
export async function submitTasks(deps: SubmitDeps, submission: Submission): Promise<Submitted> {
  const { db, layout, now } = deps;
  const { scriptName, largeFiles, policy, settings } = submission;
  const isArray = submission.array !== undefined;
  if (!isArray && submission.argFiles.length !== 1) throw new Error("A submission that is not an array makes one task");
  const ids = submission.argFiles.map(() => randomUUID());
  const staged: string[] = [];
  const moved: string[] = [];
  const received = [...largeFiles.values()].filter(isUploaded);
  /** Blobs this submission added to the store: removed again if it fails. */
  const created: string[] = [];
  // No deletion removes these blobs until the tasks using them are recorded.
  const unpin = deps.blobs.pin([...largeFiles.values()].map((file) => file.sha256));
  let stored = false;
  try {
    // The script first: a mistyped name is the mistake to report, not the placeholders it would not have used.
    if (!(await deps.isRegistered(scriptName))) throw scriptNotFound(scriptName);
    const numbers = new Set(largeFiles.keys());
    const args = submission.argFiles.map((argFile) => {
      const checked = checkArgFile(argFile.bytes, argFile.name);
      checkPlaceholders(checked.bytes, numbers, "uploaded");
      return checked;
    });
    checkSlots(settings, deps.slots());
    await checkDependencies(db, deps.home, settings.dependencies);
    const inputs = await storeInputs(deps.blobs, largeFiles, created);

    // Each folder is built in a staging place by one list of steps (see fs-steps.ts): the folder and
    // its pending marker (an empty folder, which travels with it until the row exists: see
    // removeUnlistedTaskFolders), its subfolders, its argument file, and the script's copy. The
    // first task's copy is made (and checked) from the registered script, the others from it.
    const folderSteps = (id: string, index: number): FsStep[] => {
      const staging = layout.stagingTaskDir(id);
      const pathOf = new Map([...inputs].map(([n, input]) => [String(n), join(layout.taskPaths(id).filesDir, input.storedName)]));
      return [
        { op: "mkdir", path: staging, mode: PRIVATE_DIR_MODE },
        { op: "mkdir", path: layout.stagingPendingMarker(id), mode: PRIVATE_DIR_MODE },
        ...["files", "metadata", "output"].map((name): FsStep => ({ op: "mkdir", path: join(staging, name), mode: PRIVATE_DIR_MODE })),
        // The bytes as sent, with only the placeholder strings replaced.
        { op: "write", path: join(staging, "arg_file.json"), data: resolvePlaceholders(args[index]!.bytes, pathOf), mode: PRIVATE_FILE_MODE },
      ];
    };
    const linkInputs = (id: string) =>
      Promise.all([...inputs.values()].map((input) => deps.blobs.linkInto(input.sha256, join(layout.stagingTaskDir(id), "files", input.storedName))));
    // One task with nothing to link: its folder is whole once the script is copied, so the same list
    // moves it into place (one hop to the worker fewer for the most common submission).
    const movedWithCopy = ids.length === 1 && inputs.size === 0;
    const copied = await deps.copyScript(scriptName, (found) => {
      // Registration refuses these names; a database from before that still may hold one.
      const reserved = reservedScriptFilename(found.filename);
      if (reserved) throw scriptNameReserved(found.name, found.filename, reserved);
      const [id] = ids as [string];
      staged.push(layout.stagingTaskDir(id));
      const place = { destination: join(layout.stagingTaskDir(id), found.filename), before: folderSteps(id, 0) };
      if (!movedWithCopy) return place;
      // Removed too should anything fail: where the list ended decides where the folder is.
      moved.push(layout.taskDir(id));
      return { ...place, after: [{ op: "rename", from: layout.stagingTaskDir(id), to: layout.taskDir(id) }], movedTo: join(layout.taskDir(id), found.filename) };
    });
    await linkInputs(ids[0]!);
    const firstCopy = join(layout.stagingTaskDir(ids[0]!), copied.filename);
    for (const [chunk, start] of chunksOf(ids, 1, FOLDERS_PER_LIST)) {
      staged.push(...chunk.map((id) => layout.stagingTaskDir(id)));
      await deps.fsSteps.run(
        chunk.flatMap((id, offset) => [...folderSteps(id, start + offset), { op: "copy", from: firstCopy, to: join(layout.stagingTaskDir(id), copied.filename) } as const]),
      );
      await mapInBatches(chunk, FOLDERS_AT_ONCE, linkInputs);
    }

    const arrayId = isArray ? randomUUID() : null;
    const createdAt = now();
    const rows = ids.map(
      (id, index): NewTaskRow => ({
        id,
        scriptName,
        scriptFilename: copied.filename,
        scriptVersion: copied.version,
        scriptSha256: copied.sha256,
        argFile: args[index]!.text,
        status: settings.hold ? TaskStatus.held : TaskStatus.queued,
        error: null,
        createdAt,
        cancelRequestedAt: null,
        finishedAt: null,
        attemptCount: 0,
        home: deps.home,
        arrayId,
        ...policy,
        ...settingsRow(settings),
        slurmOptions: submission.slurmOptions?.length ? [...submission.slurmOptions] : null,
      }),
    );
    const files = ids.map((id) =>
      [...inputs].map(([placeholder, input]): TaskFileRow => ({ taskId: id, placeholder, ...input })),
    );
    // The folders move into place before the rows exist, so a task that can be seen
    // always has its folder; a crash in between leaves only unlisted folders, still
    // marked pending, which the next start removes.
    for (const [chunk] of chunksOf(ids, movedWithCopy ? 1 : 0, FOLDERS_PER_LIST)) {
      await deps.fsSteps.run(chunk.map((id) => ({ op: "rename", from: layout.stagingTaskDir(id), to: layout.taskDir(id) }))).catch((error: unknown) => {
        moved.push(...chunk.slice(0, (error as Partial<FsStepError>).completed ?? chunk.length).map((id) => layout.taskDir(id)));
        throw error;
      });
      moved.push(...chunk.map((id) => layout.taskDir(id)));
    }
    const array = arrayId === null ? undefined : { id: arrayId, maxRunning: submission.array?.maxRunning ?? null, size: ids.length, createdAt };
    const inserted = await insertTasks(db, {
      tasks: rows,
      files: files.flat(),
      dependencies: ids.flatMap((id) => dependencyRows(id, settings.dependencies)),
      tags: ids.flatMap((id) => tagRows(id, settings.tags)),
      array,
    });
    stored = true;
    deps.onStored?.(inserted);
    // Finished resumable uploads of these files hold them no longer: the tasks do. If this
    // fails, an upload holds its blob until it expires, as an unused one would: the tasks exist
    // now, and that must not turn them into an error.
    await markUploadsUsed(db, deps.home, [...inputs.values()].map((input) => input.sha256), createdAt).catch(() => undefined);
    // The tasks exist now. A marker left behind (an rmdir failing) is harmless
    // while the row exists, so it must not turn stored tasks into an error.
    for (const [chunk] of chunksOf(ids, 0, FOLDERS_PER_LIST)) {
      await runCoalesced(deps.fsSteps, chunk.map((id) => ({ op: "rmdir", path: layout.taskPaths(id).pendingMarker, bestEffort: true }))).catch(() => undefined);
    }
    return {
      arrayId,
      records: inserted.map((task, index) => ({
        task,
        files: files[index]!.map((file) => ({ ...file, placeholder: String(file.placeholder) })),
        // As they stood when checked; the caller reads the task again when it has any.
        dependencies: settings.dependencies.map((each) => ({ ...each, status: null })),
        tags: { ...settings.tags },
        attempt: undefined,
        attempts: [],
      })),
    };
  } finally {
    if (!stored) {
      await mapInBatches([...staged, ...moved], FOLDERS_AT_ONCE, (dir) => rm(dir, { recursive: true, force: true }));
    }
    unpin();
    // Received into incoming/: moved into the store, or refused before it was.
    await Promise.all(received.map((file) => rm(file.path, { force: true })));
    if (!stored) await deps.blobs.release(created);
  }
}

/** `items` from `from` on, in chunks of `size`, each with the index of its first item. */
function* chunksOf<T>(items: readonly T[], from: number, size: number): Generator<[T[], number]> {
  for (let start = from; start < items.length; start += size) yield [items.slice(start, start + size), start];
}

/** A large file as its tasks have it: its name in their files/ folder, and its stored content. */
type TaskInput = Omit<TaskFileRow, "taskId" | "placeholder">;

/**
 * Puts the large files in the store (received ones), or finds them there (named by
 * hash: 400 if it has no such content), and says what each task gets of each. The
 * hashes of the blobs it stores are added to `created`.
 */
async function storeInputs(blobs: BlobStore, largeFiles: ReadonlyMap<number, LargeFile>, created: string[]): Promise<Map<number, TaskInput>> {
  const inputs = new Map<number, TaskInput>();
  for (const [number, file] of largeFiles) {
    if (isUploaded(file)) {
      if (await blobs.adopt(file.path, file.sha256)) created.push(file.sha256);
      // Under the name it was received as: a random id and the sent extension.
      inputs.set(number, { originalName: file.originalName, storedName: basename(file.path), size: file.size, sha256: file.sha256 });
    } else {
      const blob = await blobs.lookup(file.sha256);
      if (!blob) throw blobNotFound(number, file.sha256);
      inputs.set(number, { originalName: file.originalName, storedName: `${randomUUID()}${safeExtension(file.originalName)}`, size: blob.size, sha256: file.sha256 });
    }
  }
  return inputs;
}
