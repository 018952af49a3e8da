import { describe, expect, it } from "vitest";
import { chooseStarts, type Candidate, type FreeSlots, type TotalSlots } from "../../src/lifecycle/schedule.ts";

const task = (id: string, rest: Partial<Candidate> = {}): Candidate => ({ id, cpus: 1, gpus: 0, arrayId: null, arrayRoom: null, ...rest });
const free = (rest: Partial<FreeSlots> = {}): FreeSlots => ({ tasks: 4, cpus: 8, gpus: [], ...rest });
const TOTAL: TotalSlots = { cpus: 8, gpus: 4 };
const ids = (starts: ReturnType<typeof chooseStarts>) => starts.map((start) => start.id);

describe("which queued tasks start (chooseStarts)", () => {
  it("starts them in the order given, up to the concurrency limit", () => {
    expect(ids(chooseStarts([task("a"), task("b"), task("c")], free({ tasks: 2 }), TOTAL))).toEqual(["a", "b"]);
  });

  it("starts nothing when the concurrency limit is reached, or nothing is queued", () => {
    expect(chooseStarts([task("a")], free({ tasks: 0 }), TOTAL)).toEqual([]);
    expect(chooseStarts([], free(), TOTAL)).toEqual([]);
  });

  it("gives each task the CPUs it asks for and starts none whose CPUs are not free", () => {
    expect(chooseStarts([task("a", { cpus: 3 }), task("b", { cpus: 2 })], free({ cpus: 4 }), TOTAL)).toEqual([{ id: "a", cpus: 3, gpus: [] }]);
  });

  it("hands out the lowest free GPU ids, never one twice", () => {
    const starts = chooseStarts([task("a", { gpus: 2 }), task("b", { gpus: 1 }), task("c", { gpus: 1 })], free({ gpus: ["1", "2", "3"] }), TOTAL);
    expect(starts).toEqual([
      { id: "a", cpus: 1, gpus: ["1", "2"] },
      { id: "b", cpus: 1, gpus: ["3"] },
    ]);
  });

  it("a task that does not fit reserves its slots: smaller ones behind it do not take them", () => {
    // 4 CPUs free; the big one needs 6: it waits, and holds back 6 from those behind it.
    expect(ids(chooseStarts([task("big", { cpus: 6 }), task("small", { cpus: 1 })], free({ cpus: 4 }), TOTAL))).toEqual([]);
    // Once 7 are free, the big one starts, and the small one takes the one left.
    expect(ids(chooseStarts([task("big", { cpus: 6 }), task("small", { cpus: 1 })], free({ cpus: 7 }), TOTAL))).toEqual(["big", "small"]);
  });

  it("a reservation holds back only the kind of slot the waiting task is short of", () => {
    // The GPU task waits for a second GPU; a CPU-only task behind it still starts.
    const starts = chooseStarts([task("gpu", { gpus: 2 }), task("cpu")], free({ gpus: ["0"] }), TOTAL);
    expect(ids(starts)).toEqual(["cpu"]);
    // But a one-GPU task behind it may not take the GPU it waits for.
    expect(ids(chooseStarts([task("gpu", { gpus: 2 }), task("gpu1", { gpus: 1 })], free({ gpus: ["0"] }), TOTAL))).toEqual([]);
  });

  it("what is left beyond a reservation still goes to the tasks behind", () => {
    // 6 free: the first needs 4, more than the 3 left... it waits for 4 and holds them back; 2 are left beyond it.
    const starts = chooseStarts([task("started", { cpus: 3 }), task("waits", { cpus: 4 }), task("three", { cpus: 3 }), task("two", { cpus: 2 })], free({ cpus: 6 }), TOTAL);
    expect(ids(starts)).toEqual(["started"]);
    // 10 free of 16: the 12-CPU task waits (holds back 12: nothing is left), so the small ones behind it wait too.
    expect(ids(chooseStarts([task("wide", { cpus: 12 }), task("a")], free({ cpus: 10 }), { cpus: 16, gpus: 0 }))).toEqual([]);
    // 8 free: the 4-CPU and 3-CPU tasks start; the 2-CPU one waits for a second CPU and holds back
    // the one left, so the 1-CPU task behind it waits too.
    expect(ids(chooseStarts([task("four", { cpus: 4 }), task("three", { cpus: 3 }), task("two", { cpus: 2 }), task("one")], free({ cpus: 8 }), TOTAL))).toEqual(["four", "three"]);
  });

  it("an array at its max_running starts none of its tasks, and they reserve nothing", () => {
    const array = (id: string, room: number) => task(id, { arrayId: "arr", arrayRoom: room });
    expect(ids(chooseStarts([array("a1", 0), array("a2", 0), task("other")], free(), TOTAL))).toEqual(["other"]);
    // Room for one more: the first of the array starts, the next waits, the others pass.
    expect(ids(chooseStarts([array("a1", 1), array("a2", 1), task("other")], free(), TOTAL))).toEqual(["a1", "other"]);
  });

  it("arrays are throttled each on its own", () => {
    const starts = chooseStarts(
      [task("x1", { arrayId: "x", arrayRoom: 1 }), task("y1", { arrayId: "y", arrayRoom: 2 }), task("x2", { arrayId: "x", arrayRoom: 1 }), task("y2", { arrayId: "y", arrayRoom: 2 })],
      free(),
      TOTAL,
    );
    expect(ids(starts)).toEqual(["x1", "y1", "y2"]);
  });

  it("an array without a limit is not throttled", () => {
    expect(ids(chooseStarts([task("a1", { arrayId: "a" }), task("a2", { arrayId: "a" })], free(), TOTAL))).toEqual(["a1", "a2"]);
  });

  it("a task asking for more than the server has in all is passed over without holding anything back", () => {
    expect(ids(chooseStarts([task("huge", { cpus: 64 }), task("a")], free(), TOTAL))).toEqual(["a"]);
    expect(ids(chooseStarts([task("many_gpus", { gpus: 8 }), task("a", { gpus: 1 })], free({ gpus: ["0"] }), TOTAL))).toEqual(["a"]);
  });

});
