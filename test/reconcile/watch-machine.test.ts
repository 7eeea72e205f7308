import { describe, expect, it } from "vitest";
import {
  nextIntervalMs,
  WatchMachine,
  type CycleRequest,
  type Scheduler,
  type Trigger,
} from "../../src/reconcile/watch-machine.js";

/** Virtual time: timers fire only when the test advances the clock. */
class ManualScheduler implements Scheduler {
  private now = 0;
  private next = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.timers.set(id, { at: this.now + ms, fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  get pending(): number {
    return this.timers.size;
  }
  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const due = [...this.timers].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (due === undefined) break;
      this.timers.delete(due[0]);
      this.now = due[1].at;
      due[1].fn();
    }
    this.now = until;
  }
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
}
function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** A machine whose cycles end only when the test says so. */
function harness(debounceMs = 200) {
  const scheduler = new ManualScheduler();
  const cycles: { triggers: Trigger[]; files: string[]; signal: AbortSignal; end: Deferred }[] = [];
  const errors: unknown[] = [];
  const machine = new WatchMachine<string>({
    debounceMs,
    scheduler,
    onError: (e) => errors.push(e),
    run: (request: CycleRequest<string>) => {
      const end = deferred();
      cycles.push({
        triggers: [...request.triggers].sort(),
        files: [...request.files],
        signal: request.signal,
        end,
      });
      return end.promise;
    },
  });
  /** Ends the running cycle and lets the machine react. */
  const finish = async (i: number): Promise<void> => {
    cycles[i]!.end.resolve();
    await new Promise((r) => setImmediate(r));
  };
  return { scheduler, cycles, machine, finish, errors };
}

describe("WatchMachine", () => {
  it("plans a save after a short settle, and a burst as at most one more cycle once it is quiet", async () => {
    const { scheduler, cycles, machine, finish } = harness(200);
    machine.fileEvent("f0");
    machine.fileEvent("f0 again");
    expect(cycles).toHaveLength(0);
    scheduler.advance(25);
    expect(cycles.map((c) => c.files)).toEqual([["f0", "f0 again"]]);
    for (let i = 2; i < 50; i++) {
      machine.fileEvent(`f${i}`);
      scheduler.advance(100);
    }
    expect(cycles).toHaveLength(1);
    scheduler.advance(200);
    expect(machine.state).toEqual({ type: "running", rerunQueued: true });
    await finish(0);
    expect(cycles).toHaveLength(2);
    expect(cycles[1]!.triggers).toEqual(["files"]);
    expect(cycles[1]!.files).toHaveLength(48);
    await finish(1);
    scheduler.advance(10_000);
    expect(cycles).toHaveLength(2);
    expect(machine.state).toEqual({ type: "idle" });
  });

  it("runs no trailing cycle after a single save", async () => {
    const { scheduler, cycles, machine, finish } = harness(200);
    machine.fileEvent("only");
    scheduler.advance(25);
    await finish(0);
    scheduler.advance(1000);
    expect(cycles).toHaveLength(1);
    // Quiet again: the next save is planned as quickly.
    machine.fileEvent("next");
    scheduler.advance(25);
    expect(cycles.map((c) => c.files)).toEqual([["only"], ["next"]]);
  });

  it("queues exactly one rerun for everything that arrives during a cycle, with all of it", async () => {
    const { scheduler, cycles, machine, finish } = harness(200);
    machine.trigger("start");
    expect(cycles).toHaveLength(1);
    machine.fileEvent("a");
    scheduler.advance(300);
    machine.trigger("interval");
    machine.fileEvent("b");
    scheduler.advance(300);
    machine.trigger("git");
    expect(machine.state).toEqual({ type: "running", rerunQueued: true });
    expect(cycles).toHaveLength(1);
    await finish(0);
    expect(cycles).toHaveLength(2);
    expect(cycles[1]).toMatchObject({ triggers: ["files", "git", "interval"], files: ["a", "b"] });
    await finish(1);
    expect(cycles).toHaveLength(2);
    expect(machine.state).toEqual({ type: "idle" });
  });

  it("stops while running: aborts the cycle, waits for it, and never runs again", async () => {
    const { scheduler, cycles, machine, finish } = harness(200);
    machine.trigger("start");
    machine.schedule("interval", 1000);
    machine.fileEvent("x");
    const stopped = machine.stop();
    expect(cycles[0]!.signal.aborted).toBe(true);
    expect(machine.state).toEqual({ type: "stopped" });
    let done = false;
    void stopped.then(() => (done = true));
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    await finish(0);
    await stopped;
    expect(done).toBe(true);
    machine.trigger("interval");
    machine.fileEvent("y");
    scheduler.advance(10_000);
    expect(cycles).toHaveLength(1);
    expect(scheduler.pending).toBe(0);
  });

  it("stops at once when idle", async () => {
    const { machine } = harness();
    await machine.stop();
    await machine.done;
    expect(machine.state).toEqual({ type: "stopped" });
  });

  it("fires a scheduled trigger once, a later schedule replacing an earlier one", async () => {
    const { scheduler, cycles, machine, finish } = harness();
    machine.schedule("interval", 1000);
    machine.schedule("interval", 5000);
    scheduler.advance(4000);
    expect(cycles).toHaveLength(0);
    scheduler.advance(1000);
    expect(cycles.map((c) => c.triggers)).toEqual([["interval"]]);
    await finish(0);
    scheduler.advance(60_000);
    expect(cycles).toHaveLength(1);
  });

  it("goes on after a cycle that threw", async () => {
    const scheduler = new ManualScheduler();
    const errors: unknown[] = [];
    let runs = 0;
    const machine = new WatchMachine<string>({
      debounceMs: 10,
      scheduler,
      onError: (e) => errors.push(e),
      run: () => {
        runs++;
        return Promise.reject(new Error(`boom ${runs}`));
      },
    });
    machine.trigger("start");
    await new Promise((r) => setImmediate(r));
    machine.trigger("interval");
    await new Promise((r) => setImmediate(r));
    expect(runs).toBe(2);
    expect(errors.map((e) => (e as Error).message)).toEqual(["boom 1", "boom 2"]);
    expect(machine.state).toEqual({ type: "idle" });
  });
});

describe("nextIntervalMs", () => {
  it("adds up to 10 % jitter, backs off after errors (at most 8x) and honours Retry-After", () => {
    expect(nextIntervalMs(60_000, { consecutiveErrors: 0 }, () => 0)).toBe(60_000);
    expect(nextIntervalMs(60_000, { consecutiveErrors: 0 }, () => 0.999)).toBe(65_994);
    expect(nextIntervalMs(60_000, { consecutiveErrors: 1 }, () => 0)).toBe(120_000);
    expect(nextIntervalMs(60_000, { consecutiveErrors: 10 }, () => 0)).toBe(480_000);
    expect(nextIntervalMs(1_000, { consecutiveErrors: 0, retryAfterMs: 30_000 }, () => 0)).toBe(30_000);
  });
});
