/** Signals a process group; a group that is already gone is not an error. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

/** Kills what is left of a process group at once; one already gone, or no longer ours, is no error. */
export function killGroup(pid: number): void {
  try {
    signalGroup(pid, "SIGKILL");
  } catch {
    // EPERM: the group is no longer ours (its members changed user).
  }
}
