import { join } from "node:path";

const TASK_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** True for ids CubQueue issues (UUIDs); anything else can never name a task folder. */
export function isTaskId(id: string): boolean {
  return TASK_ID_PATTERN.test(id);
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

  const taskDirIn = (parent: string, id: string) => {
    if (!isTaskId(id)) throw new Error(`Refusing to build a path for the malformed task id "${id}"`);
    return join(parent, id);
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
    stopRequestFile: join(baseDir, "cubqueue.stop"),
    /** The token the server requires, kept (owner-only) for the CLI on the same machine. */
    tokenFile: join(baseDir, "cubqueue.token"),

    scriptFile: (filename: string) => join(scriptsDir, filename),
    scriptDescFile: (name: string) => join(scriptsDir, `${name}.txt`),
    incomingUpload: (uploadId: string) => join(incomingDir, uploadId),

    taskDir: (id: string) => taskDirIn(tasksDir, id),
    /** Where a submission is assembled before it becomes tasks/<id>. */
    stagingTaskDir: (id: string) => taskDirIn(incomingDir, id),
    taskPaths: (id: string) => {
      const dir = taskDirIn(tasksDir, id);
      return {
        dir,
        filesDir: join(dir, "files"),
        metadataDir: join(dir, "metadata"),
        outputDir: join(dir, "output"),
        argFile: join(dir, "arg_file.json"),
        logFile: join(dir, "log.txt"),
        /** Written by the task's wrapper when the script ends, even if no server is watching. */
        exitFile: join(dir, "cubqueue.exit"),
        script: (filename: string) => join(dir, filename),
      };
    },
  };
}

export type Layout = ReturnType<typeof createLayout>;
