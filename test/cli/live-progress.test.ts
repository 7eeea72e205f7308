import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createProgressView, formatEventLine } from "../../src/cli/views/apply-progress.js";
import { formatDuration } from "../../src/cli/views/duration.js";
import { liveViewSupported, runningWords, type LiveClock } from "../../src/cli/views/live-progress.js";
import { ACTION_TYPES } from "../../src/kinds/index.js";
import type { ApplyEvent } from "../../src/reconcile/events.js";
import { screenOf } from "./helpers/screen.js";

/** A clock that moves only when told to, with the view's 1 s ticker under the test's control. */
function fakeClock(): { clock: LiveClock; advance: (ms: number) => void; timers: () => number } {
  let now = 1_000_000;
  const ticks = new Set<() => void>();
  return {
    clock: {
      now: () => now,
      every: (_ms, tick) => {
        ticks.add(tick);
        return () => ticks.delete(tick);
      },
    },
    advance: (ms) => {
      // One tick per second passed, as the real ticker would fire.
      for (let passed = 0; passed < ms; passed += 1000) {
        now += Math.min(1000, ms - passed);
        for (const tick of [...ticks]) tick();
      }
    },
    timers: () => ticks.size,
  };
}

function terminal(columns = 100): {
  stream: PassThrough & { isTTY: true; columns: number };
  writes: string[];
} {
  const stream = Object.assign(new PassThrough(), { isTTY: true as const, columns });
  const writes: string[] = [];
  stream.on("data", (c: Buffer) => writes.push(c.toString("utf8")));
  return { stream, writes };
}

const at = "2026-01-01T00:00:00.000Z";
const started = (id: string, action: string, key: string): ApplyEvent => ({
  type: "action-started",
  id,
  key,
  action,
  at,
});
const progress = (id: string, action: string, key: string, message: string): ApplyEvent => ({
  type: "action-progress",
  id,
  key,
  action,
  at,
  message,
  elapsedMs: 0,
});
const succeeded = (id: string, action: string, key: string, durationMs: number): ApplyEvent => ({
  type: "action-succeeded",
  id,
  key,
  action,
  at,
  message: "ok",
  durationMs,
});
const failed = (id: string, action: string, key: string, durationMs: number): ApplyEvent => ({
  type: "action-failed",
  id,
  key,
  action,
  at,
  error: "test t1 failed: sideEffects failed",
  gate: true,
  durationMs,
});

describe("formatDuration", () => {
  it("reads like a clock: tenths under 10 s, seconds, then minutes and hours", () => {
    expect([0, 2_340, 9_999, 12_000, 59_900, 192_000, 245_000, 3_840_000].map(formatDuration)).toEqual([
      "0.0s",
      "2.3s",
      "9.9s",
      "12s",
      "59s",
      "3m12s",
      "4m05s",
      "1h04m",
    ]);
  });
});

describe("runningWords", () => {
  it("maps server states to plain words and keeps other progress messages", () => {
    expect(runningWords("buildDependencies", "build processing")).toBe("building dependencies");
    expect(runningWords("buildDependencies", "build submitted")).toBe("building dependencies (queued)");
    expect(runningWords("runTest", "test in_progress")).toBe("testing");
    expect(runningWords("runTest", undefined)).toBe("testing");
    expect(runningWords("createVersion", "uploading 3 files, deleting 0")).toBe(
      "creating a version: uploading 3 files, deleting 0",
    );
    expect(runningWords("somethingNew", "RUNNING")).toBe("somethingNew: RUNNING");
  });

  it("has plain words for every action of every kind, registration and rollout included", () => {
    const missing = ACTION_TYPES.filter((type) => runningWords(type, undefined) === type);
    expect(missing).toEqual([]);
    expect(runningWords("replaceDeploymentModel", "DeploymentModelReplacement RUNNING")).toBe(
      "validating and replacing the model",
    );
    expect(runningWords("registerVersion", undefined)).toBe("registering the version");
  });
});

describe("live view on a terminal", () => {
  it("shows each running action with its elapsed time and status, and an overall line, ticking without events", () => {
    const { clock, advance } = fakeClock();
    const { stream, writes } = terminal();
    const view = createProgressView(stream, { env: { TERM: "xterm" }, total: 31, clock });
    view.onEvent(started("b", "buildDependencies", "ns/churn"));
    view.onEvent(progress("b", "buildDependencies", "ns/churn", "build processing"));
    advance(60_000);
    view.onEvent(started("t", "runTest", "ns/iris"));
    advance(132_000);
    expect(screenOf(writes.join(""))).toEqual([
      " 3m12s  ns/churn: building dependencies",
      " 2m12s  ns/iris: testing",
      "0/31 actions, 0 failed, 3m12s",
    ]);

    view.onEvent(succeeded("b", "buildDependencies", "ns/churn", 192_000));
    view.onEvent(failed("t", "runTest", "ns/iris", 132_500));
    advance(53_000);
    expect(screenOf(writes.join(""))).toEqual([
      "done     buildDependencies ns/churn: ok [3m12s]",
      "FAILED   runTest ns/iris: test t1 failed: sideEffects failed [2m12s]",
      "2/31 actions, 1 failed, 4m05s",
    ]);
    view.close();
  });

  it("writes each frame in one write: cursor up over the last frame, clear to the end, the new lines", () => {
    const { clock, advance } = fakeClock();
    const { stream, writes } = terminal();
    const view = createProgressView(stream, { env: {}, total: 2, clock });
    view.onEvent(started("a", "runTest", "ns/a"));
    view.onEvent(started("b", "runTest", "ns/b"));
    advance(1_000);
    view.onEvent(succeeded("a", "runTest", "ns/a", 1_000));
    // Two events, one tick, one event: one write each.
    expect(writes).toHaveLength(4);
    expect(writes[0]!.startsWith("\x1b[?25l")).toBe(true);
    expect(writes[0]).not.toContain("\x1b[0J");
    // Frame 1 had one action and the overall line; frames 2 and 3 had two actions and the overall line.
    expect(writes[1]!.startsWith("\x1b[2F\x1b[0J")).toBe(true);
    expect(writes[2]!.startsWith("\x1b[3F\x1b[0J")).toBe(true);
    expect(writes[3]!.startsWith("\x1b[3F\x1b[0J")).toBe(true);
    view.close();
  });

  it("on close stops the clock, clears the area and restores the cursor; nothing is drawn afterwards", () => {
    const { clock, advance, timers } = fakeClock();
    const { stream, writes } = terminal();
    const view = createProgressView(stream, { env: {}, total: 1, clock });
    view.onEvent(started("a", "runTest", "ns/a"));
    expect(timers()).toBe(1);
    view.close();
    expect(timers()).toBe(0);
    expect(writes.at(-1)).toBe("\x1b[2F\x1b[0J\x1b[?25h");
    const count = writes.length;
    advance(5_000);
    view.onEvent(succeeded("a", "runTest", "ns/a", 5_000));
    view.close();
    expect(writes).toHaveLength(count);
    expect(screenOf(writes.join(""))).toEqual([]);
  });

  it("cuts lines to the terminal width so the area never wraps", () => {
    const { clock } = fakeClock();
    const { stream, writes } = terminal(40);
    const view = createProgressView(stream, { env: {}, total: 1, clock });
    view.onEvent(started("a", "buildDependencies", "acme/models/a-model-with-a-rather-long-name"));
    for (const line of screenOf(writes.join(""))) expect(line.length).toBeLessThan(40);
    expect(screenOf(writes.join(""))[0]).toMatch(/…$/);
    view.close();
  });
});

describe("degrading to plain lines", () => {
  const events: ApplyEvent[] = [
    started("a", "createVersion", "ns/m"),
    progress("a", "createVersion", "ns/m", "uploading 1 files, deleting 0"),
    succeeded("a", "createVersion", "ns/m", 2_300),
    started("t", "runTest", "ns/m"),
    failed("t", "runTest", "ns/m", 61_000),
  ];
  const plain = [
    "start    createVersion ns/m",
    "progress createVersion ns/m: uploading 1 files, deleting 0",
    "done     createVersion ns/m: ok [2.3s]",
    "start    runTest ns/m",
    "FAILED   runTest ns/m: test t1 failed: sideEffects failed [1m01s]",
  ];

  it.each([
    ["a pipe", { isTTY: false, columns: 100 }, {}],
    ["a terminal under 40 columns", { isTTY: true, columns: 39 }, {}],
    ["NO_COLOR", { isTTY: true, columns: 100 }, { NO_COLOR: "1" }],
    ["TERM=dumb", { isTTY: true, columns: 100 }, { TERM: "dumb" }],
  ])("on %s: one line per event, each finished one with its duration", (_what, tty, env) => {
    const { clock, timers } = fakeClock();
    const stream = Object.assign(new PassThrough(), tty);
    const chunks: string[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c.toString("utf8")));
    expect(liveViewSupported(stream, env)).toBe(false);
    const view = createProgressView(stream, { env, total: 2, clock });
    for (const e of events) view.onEvent(e);
    view.close();
    expect(chunks.join("")).toBe(`${plain.join("\n")}\n`);
    expect(timers()).toBe(0);
  });

  it("a wide, colourful terminal gets the live area", () => {
    expect(liveViewSupported({ isTTY: true, columns: 40 }, { TERM: "xterm-256color" })).toBe(true);
    expect(liveViewSupported({ isTTY: true, columns: 40 }, { NO_COLOR: "" })).toBe(true);
  });

  it("keeps the greppable prefixes and puts the duration last", () => {
    for (const [i, e] of events.entries()) expect(formatEventLine(e)).toBe(plain[i]);
  });
});
