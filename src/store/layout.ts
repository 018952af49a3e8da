import { join } from "node:path";

const TASK_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** True for ids CubQueue issues (UUIDs); anything else can never name a task folder. */
export function isTaskId(id: string): boolean {
  return TASK_ID_PATTERN.test(id);
}

/**
 * The mode of stored scripts and their task copies: owner read, write and
 * execute. A script with neither a shebang nor a known extension is run as a
 * program, which it can only be if it is executable.
 */
export const EXECUTABLE_SCRIPT_MODE = 0o700;

/**
 * Modes of what CubQueue creates in a base dir: its folders, task folders,
 * uploads, logs and the database are the server's user's alone, as the token
 * is (scripts run as that user, so they can read them all the same).
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Marks a task folder whose submission is not yet recorded (see submit-task.ts): an empty folder. */
const PENDING_MARKER = "cubqueue.pending";

/**
 * What CubQueue itself keeps in every task folder, next to the script's copy.
 * A script stored under one of these names would overwrite it (or be
 * overwritten): its argument file, its log, its exit record.
 */
const TASK_FOLDER_ENTRIES: Readonly<Record<string, string>> = {
  "arg_file.json": "each task's argument file",
  "log.txt": "each task's log",
  files: "each task's uploaded files",
  metadata: "each task's metadata folder",
  output: "each task's output folder",
};

/**
 * Why a script may not be stored under `filename` (its name plus extension),
 * or undefined when it may. Names are compared without regard to case, as the
 * file systems of macOS and Windows do.
 */
export function reservedScriptFilename(filename: string): string | undefined {
  const lower = filename.toLowerCase();
  const entry = TASK_FOLDER_ENTRIES[lower];
  if (entry) return `CubQueue uses "${lower}" in every task folder for ${entry}`;
  if (lower === "cubqueue" || lower.startsWith("cubqueue.")) {
    return 'CubQueue keeps its own files ("cubqueue.exit", "cubqueue.pending", …) in every task folder';
  }
  if (lower.endsWith(".txt")) return "scripts/<name>.txt holds the script's description";
  return undefined;
}

/**
 * The base-dir layout, in one place. No other module builds paths inside the
 * base dir, so nothing a caller sends can make a path that leaves it: task ids
 * are checked against the UUID shape and script file names are built from
 * validated names.
 */
export function createLayout(baseDir: string) {
  const scriptsDir = join(baseDir, "scripts");
  const tasksDir = join(baseDir, "tasks");
  const incomingDir = join(baseDir, "cubqueue.incoming");
  const blobsDir = join(baseDir, "blobs");
  const uploadsDir = join(baseDir, "cubqueue.uploads");

  // Joined by hand: the folders are normalized (by join, above) and a task id is a UUID, so the
  // result is what join gives, without the normalizing it would repeat for every path of every task.
  const taskDirIn = (parent: string, id: string) => {
    if (!isTaskId(id)) throw new Error(`Refusing to build a path for the malformed task id "${id}"`);
    return `${parent}/${id}`;
  };

  return {
    baseDir,
    scriptsDir,
    tasksDir,
    /** Uploads land here first and are moved into place once complete and valid. */
    incomingDir,
    databasePath: join(baseDir, "cubqueue.db"),
    pidFile: join(baseDir, "cubqueue.pid"),
    urlFile: join(baseDir, "cubqueue.url"),
    daemonLog: join(baseDir, "cubqueue.log"),
    /** Written by `cubqueue stop --cancel-running` just before it signals the server. */
    cancelRunningRequestFile: join(baseDir, "cubqueue.cancel-running"),
    /** The token the server requires, kept (owner-only) for the CLI on the same machine. */
    tokenFile: join(baseDir, "cubqueue.token"),
    /** Names the server instance of this base dir across restarts (see server/instance-id.ts). */
    instanceIdFile: join(baseDir, "cubqueue.instance"),

    /** The store of uploaded files, by content (see blob-store.ts). */
    blobsDir,
    /** blobs/ab/abcd…: two hex digits of the sha256, then all of it, so no folder grows too large. */
    blobFile: (sha256: string) => {
      if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`Refusing to build a path for the malformed sha256 "${sha256}"`);
      return join(blobsDir, sha256.slice(0, 2), sha256);
    },
    /** Resumable uploads in progress, one file each: the bytes received so far. Kept across restarts. */
    uploadsDir,
    uploadFile: (uploadId: string) => {
      if (!isTaskId(uploadId)) throw new Error(`Refusing to build a path for the malformed upload id "${uploadId}"`);
      return join(uploadsDir, uploadId);
    },

    scriptFile: (filename: string) => join(scriptsDir, filename),
    scriptDescFile: (name: string) => join(scriptsDir, `${name}.txt`),
    incomingUpload: (uploadId: string) => join(incomingDir, uploadId),

    taskDir: (id: string) => taskDirIn(tasksDir, id),
    /** Where a submission is assembled before it becomes tasks/<id>. */
    stagingTaskDir: (id: string) => taskDirIn(incomingDir, id),
    /** The pending marker (see taskPaths) of a submission being assembled. */
    stagingPendingMarker: (id: string) => `${taskDirIn(incomingDir, id)}/${PENDING_MARKER}`,
    taskPaths: (id: string) => {
      const dir = taskDirIn(tasksDir, id);
      return {
        dir,
        filesDir: `${dir}/files`,
        metadataDir: `${dir}/metadata`,
        outputDir: `${dir}/output`,
        argFile: `${dir}/arg_file.json`,
        logFile: `${dir}/log.txt`,
        /** Written by the task's wrapper when the script ends, even if no server is watching. */
        exitFile: `${dir}/cubqueue.exit`,
        /** Where the script writes how far it got ("42 aligning chr7"): $CUBQUEUE_PROGRESS_FILE. */
        progressFile: `${dir}/cubqueue.progress`,
        /**
         * Present until the task's row is recorded: a folder with it and no row
         * is a submission cut short, which the next start removes. A folder
         * without it is never removed for lack of a row.
         */
        pendingMarker: `${dir}/${PENDING_MARKER}`,
        script: (filename: string) => join(dir, filename),
      };
    },
  };
}

export type Layout = ReturnType<typeof createLayout>;
