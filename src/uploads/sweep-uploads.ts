import type { BlobStore } from "../store/blob-store.ts";
import type { UploadSessions } from "./upload-sessions.ts";

/** How often abandoned uploads and unused blobs are looked for, at most. */
const SWEEP_EVERY_MS = 10 * 60_000;

/**
 * Removes, now and then, the bytes of uploads abandoned past their expiry and the
 * blobs nothing holds any more (every `expiryMs`, at most every ten minutes). A
 * failed sweep is reported and tried again at the next. Returns what stops it.
 */
export function startUploadSweeps(
  parts: { uploads: Pick<UploadSessions, "sweep">; blobs: Pick<BlobStore, "sweep"> },
  expiryMs: number,
  onError: (error: unknown) => void,
): () => Promise<void> {
  let sweeping: Promise<unknown> | undefined;
  const sweep = () => {
    if (sweeping) return;
    sweeping = (async () => {
      await parts.uploads.sweep();
      await parts.blobs.sweep();
    })()
      .catch(onError)
      .finally(() => (sweeping = undefined));
  };
  const timer = setInterval(sweep, Math.min(expiryMs, SWEEP_EVERY_MS));
  // The sweep must not keep a stopping server alive.
  timer.unref?.();
  return async () => {
    clearInterval(timer);
    await sweeping;
  };
}
