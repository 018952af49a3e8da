import { watch, type FSWatcher } from "node:fs";

/** One watch per folder, however many listen to it: a listener is one more callback, not one more inotify watch. */
const watched = new Map<string, { watcher: FSWatcher; listeners: Set<() => void> }>();

/**
 * Calls onChange at each change of a file in the folder (as fs.watch reports them) until the
 * returned function is called. Where the file system gives no notices (or the folder cannot be
 * watched), it never calls: callers that must not miss a change look again now and then.
 */
export function watchFolder(dir: string, onChange: () => void): () => void {
  let entry = watched.get(dir);
  if (!entry) {
    const listeners = new Set<() => void>();
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, { persistent: false }, () => {
        for (const listener of listeners) listener();
      });
    } catch {
      return () => {};
    }
    entry = { watcher, listeners };
    const made = entry;
    watcher.on("error", () => {
      made.watcher.close();
      if (watched.get(dir) === made) watched.delete(dir);
    });
    watched.set(dir, entry);
  }
  const { listeners } = entry;
  const owner = entry;
  listeners.add(onChange);
  return () => {
    listeners.delete(onChange);
    if (listeners.size === 0 && watched.get(dir) === owner) {
      watched.delete(dir);
      owner.watcher.close();
    }
  };
}
