export { CubQueueClient, FINISHED } from "./cubqueue-client.ts";
export type {
  ArchiveFormat,
  ClientOptions,
  DownloadOptions,
  ListTasksOptions,
  Script,
  Task,
  TaskList,
  TaskStatus,
  UnpackResult,
  UploadProgress,
  WaitOptions,
} from "./cubqueue-client.ts";
export { CubQueueApiError, CubQueueConnectionError } from "./errors.ts";
