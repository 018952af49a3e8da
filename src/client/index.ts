export { ARCHIVE_FORMATS, CubQueueClient, FINISHED } from "./cubqueue-client.ts";
export type {
  ArchiveFormat,
  ClientOptions,
  DownloadOptions,
  DownloadProgress,
  DownloadResult,
  FlushResult,
  ListTasksOptions,
  LogOptions,
  RegisterOptions,
  Script,
  ScriptDetail,
  ScriptVersion,
  SubmitOptions,
  Task,
  TaskList,
  TaskLog,
  TaskStatus,
  UnpackResult,
  UploadProgress,
  WaitOptions,
} from "./cubqueue-client.ts";
export { CubQueueApiError, CubQueueConnectionError, CubQueueFileExistsError, CubQueueTimeoutError } from "./errors.ts";
