import { beforeAll, describe, expect, it } from "vitest";
import { resetStats, setFaults, stats, type ExampleWorld } from "./harness.js";
import { useWatchWorld, type WatchProcess } from "./watch-harness.js";

type PlanEvent = Extract<WatchProcess["events"][number], { event: "plan" }>;

/** The time between a plan event (the end of its cycle) and the start of the next cycle. */
const gapMs = (previous: PlanEvent, next: PlanEvent): number =>
  Date.parse(next.at) - next.durationMs - Date.parse(previous.at);

describe("drgitops watch: live polling that scales", { timeout: 120_000 }, () => {
  const setup = useWatchWorld();
  const { watch } = setup;
  let world: ExampleWorld;
  beforeAll(() => {
    world = setup.world();
  });
  const intervalPlans = (w: WatchProcess, count: number, from = 0): Promise<PlanEvent[]> =>
    (async () => {
      const found: PlanEvent[] = [];
      let at = from;
      while (found.length < count) {
        const plan = await w.waitFor("plan", (p) => p.trigger === "interval", { from: at });
        found.push(plan);
        at = w.events.indexOf(plan) + 1;
      }
      return found;
    })();

  it("an interval cycle makes the requests of a no-change plan, and no more", async () => {
    await resetStats(world.emu);
    expect((await world.cli("plan", "--detailed-exitcode")).code).toBe(0);
    const plan = await stats(world.emu);

    const w = watch("--interval", "1");
    const [first] = await intervalPlans(w, 1);
    await resetStats(world.emu); // the next cycle starts a second after `first` ended
    await w.waitFor("plan", (p) => p.trigger === "interval", { from: w.events.indexOf(first!) + 1 });
    const cycle = await stats(world.emu);
    expect(cycle.total).toBeGreaterThan(0);
    expect(cycle.requests).toEqual(plan.requests);
    expect(w.events.filter((e) => e.event === "error")).toEqual([]);
    await w.stop();
  });

  it("measures the interval from the end of the previous cycle", async () => {
    // Every request takes 150 ms: a cycle lasts a good part of the 1 s interval.
    await setFaults(world.emu, { latencyMs: 150 });
    try {
      const w = watch("--interval", "1");
      const [a, b, c] = await intervalPlans(w, 3);
      const pairs: [PlanEvent, PlanEvent][] = [
        [a!, b!],
        [b!, c!],
      ];
      for (const [previous, next] of pairs) {
        expect(next.durationMs).toBeGreaterThan(150);
        expect(gapMs(previous, next)).toBeGreaterThanOrEqual(995);
      }
      await w.stop();
    } finally {
      await setFaults(world.emu, { latencyMs: 0 });
    }
  });

  it("slows down on 429 + Retry-After instead of failing: no error, later checks, back to normal after", async () => {
    const w = watch("--interval", "1");
    await w.waitFor("plan", (p) => p.trigger === "start");
    // More GETs a second than this get 429 with Retry-After: 1; the examples' listing is four GETs.
    await setFaults(world.emu, { rateLimit: 2 });
    const mark = w.events.length;
    let throttled: PlanEvent[];
    try {
      throttled = await intervalPlans(w, 3, mark);
    } finally {
      await setFaults(world.emu, { rateLimit: 0 });
    }
    expect(throttled.every((p) => p.issues === undefined && p.changes === 0)).toBe(true);
    // After a rate-limited cycle the next check waits twice the interval (and at least Retry-After).
    expect(gapMs(throttled[0]!, throttled[1]!)).toBeGreaterThanOrEqual(1900);
    expect(gapMs(throttled[1]!, throttled[2]!)).toBeGreaterThanOrEqual(1900);
    // Once the server stops limiting, the interval is back to its length.
    const [calmFirst, calm] = await intervalPlans(w, 2, w.events.indexOf(throttled[2]!) + 1);
    expect(gapMs(calmFirst!, calm!)).toBeLessThan(1900);
    expect(w.events.filter((e) => e.event === "error")).toEqual([]);
    const stopped = await w.stop();
    expect(stopped.code).toBe(0);
  });
});
