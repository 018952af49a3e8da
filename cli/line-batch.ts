/**
 * Writes lines together, once per turn of the event loop, instead of one write each: a busy
 * server says two lines per task (its start and its end), and each write to a file or pipe is
 * a system call on the server's one thread. Lines still waiting when the process exits are
 * written then.
 */
export function batchLines(write: (text: string) => void): (line: string) => void {
  let pending = "";
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending === "") return;
    const text = pending;
    pending = "";
    write(text);
  };
  process.on("exit", flush);
  return (line) => {
    pending += line;
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  };
}
