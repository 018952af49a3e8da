import { setImmediate } from "node:timers";

/**
 * Gathers the calls made during one turn of the event loop and carries them out together once
 * the turn's I/O callbacks have run (setImmediate): under load, one commit or one message for
 * the several submissions that reached it in that turn, instead of one each; alone, a call
 * waits only for the rest of its turn. `carryOut` settles each item on its own: one item's
 * failure need not be the others'.
 */
export function createTurnBatcher<T, R>(carryOut: (items: T[]) => Promise<PromiseSettledResult<R>[]>): (item: T) => Promise<R> {
  let waiting: { item: T; resolve: (result: R) => void; reject: (error: unknown) => void }[] = [];

  function flush(): void {
    const batch = waiting;
    waiting = [];
    carryOut(batch.map((each) => each.item)).then(
      (settled) =>
        batch.forEach((each, index) => {
          const outcome = settled[index];
          if (outcome?.status === "fulfilled") each.resolve(outcome.value);
          else each.reject(outcome ? outcome.reason : new Error("carried out without an outcome"));
        }),
      (error: unknown) => batch.forEach((each) => each.reject(error)),
    );
  }

  return (item) =>
    new Promise<R>((resolve, reject) => {
      if (waiting.length === 0) setImmediate(flush);
      waiting.push({ item, resolve, reject });
    });
}
