import { AppError } from "../errors.ts";

/** The answer to a request whose client stopped sending its body for longer than the idle timeout. */
export function uploadStalled(idleTimeoutMs: number): AppError {
  return new AppError(
    408,
    "upload_stalled",
    `The upload stalled: nothing arrived for ${idleTimeoutMs / 1000} s, so it was given up and nothing of it was kept; send it again.`,
  );
}
