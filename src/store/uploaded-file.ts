/**
 * A file a client uploaded, fully received into CubQueue's incoming folder
 * (see Layout.incomingUpload), measured and hashed on the way. Whoever it is
 * handed to takes it over: moves it into place, or removes it.
 */
export interface UploadedFile {
  /** Where it is now; its name (a random id and the sent extension) is the one it keeps once stored. */
  path: string;
  /** The file name the client sent, without any directory part ("" if none was sent). */
  originalName: string;
  size: number;
  /** SHA-256 of the content, lowercase hex. */
  sha256: string;
}
