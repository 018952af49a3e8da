/** A queued task that may start now (due, its dependencies met), as the scheduler weighs it. */
export interface Candidate {
  id: string;
  cpus: number;
  gpus: number;
  /** How many more of its array may start now (its max_running less those running); null when unlimited. */
  arrayRoom: number | null;
  arrayId: string | null;
}

/** What is free to start tasks with. */
export interface FreeSlots {
  /** Tasks that may still start under the concurrency limit. */
  tasks: number;
  cpus: number;
  /** The ids of the GPUs no running attempt holds, in the order they are handed out. */
  gpus: readonly string[];
}

/** What the server has in all: a task asking for more can never start here. */
export interface TotalSlots {
  cpus: number;
  gpus: number;
}

/** A task to start, with the slots it is given. */
export interface Start {
  id: string;
  cpus: number;
  gpus: string[];
}

/**
 * Which queued tasks start now. Pure: every rule below has a unit test
 * (test/lifecycle/schedule.test.ts), and the runner only carries it out.
 *
 * - `candidates` come in queue order: higher priority first, then oldest first.
 * - A task starts when its CPUs and GPUs are free and the concurrency limit
 *   has room; it gets the lowest free GPU ids.
 * - A task that does not fit reserves what it asks for: the tasks behind it
 *   may only use what is left beyond it. So a large task is never starved by
 *   a stream of small ones: as running tasks end, their slots go to it first.
 * - An array at its max_running starts no more of its tasks; its waiting tasks
 *   reserve nothing (they wait for their array, not for slots).
 * - A task asking for more than the server has in all (it was started since
 *   with fewer) reserves nothing: it would block the queue for ever.
 */
export function chooseStarts(candidates: readonly Candidate[], free: FreeSlots, total: TotalSlots): Start[] {
  const starts: Start[] = [];
  let taskRoom = free.tasks;
  let cpus = free.cpus;
  const gpus = [...free.gpus];
  let reservedCpus = 0;
  let reservedGpus = 0;
  const arrayStarts = new Map<string, number>();
  for (const candidate of candidates) {
    if (taskRoom <= 0) break;
    if (candidate.cpus > total.cpus || candidate.gpus > total.gpus) continue;
    if (candidate.arrayId !== null && candidate.arrayRoom !== null) {
      if ((arrayStarts.get(candidate.arrayId) ?? 0) >= candidate.arrayRoom) continue;
    }
    const cpusLeft = Math.max(0, cpus - reservedCpus);
    const gpusLeft = Math.max(0, gpus.length - reservedGpus);
    if (candidate.cpus > cpusLeft || candidate.gpus > gpusLeft) {
      reservedCpus += candidate.cpus;
      reservedGpus += candidate.gpus;
      continue;
    }
    starts.push({ id: candidate.id, cpus: candidate.cpus, gpus: gpus.splice(0, candidate.gpus) });
    cpus -= candidate.cpus;
    taskRoom -= 1;
    if (candidate.arrayId !== null) arrayStarts.set(candidate.arrayId, (arrayStarts.get(candidate.arrayId) ?? 0) + 1);
  }
  return starts;
}
