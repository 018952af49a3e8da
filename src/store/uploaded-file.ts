/**
 * A file a client uploaded, fully received into CubQueue's incoming folder
 * (see Layout.incomingUpload), measured and hashed on the way. Whoever it is
 * handed to takes it over: stores it, or removes it.
 */
export interface UploadedFile {
  /** Where it is now; its name (a random id and the sent extension) is the one tasks see it under. */
  path: string;
  /** The file name the client sent, without any directory part ("" if none was sent). */
  originalName: string;
  size: number;
  /** SHA-256 of the content, lowercase hex. */
  sha256: string;
}

/**
 * A file a submission names by the sha256 of content the server already stores
 * (a field `fileN_sha256`), instead of sending its bytes again.
 */
export interface StoredFileRef {
  sha256: string;
  /** The file name the client gave it (`fileN_name`), for its extension and the task's record; "" if none. */
  originalName: string;
}

/** A large file of a submission: its bytes, received with it, or a reference to stored ones. */
export type LargeFile = UploadedFile | StoredFileRef;

export function isUploaded(file: LargeFile): file is UploadedFile {
  return "path" in file;
}
