import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import type { ApplyEvent } from "../../src/reconcile/apply/events.js";
import { runTasks, topologicalOrder, type Handler, type Task } from "../../src/reconcile/apply/executor.js";
import { formatOutcomeTable, summariseByResource, totals } from "../../src/reconcile/apply/outcome.js";
import { createProgressView, formatEventLine } from "../../src/reconcile/apply/progress.js";

interface Act {
  fail?: boolean;
}
type Log = string[];

function task(id: string, key: string, type: string, dependsOn: string[] = [], action: Act = {}): Task<Act> {
  return { id, key, type, dependsOn, action };
}

/** A handler that records start/end into the context log and yields to let others interleave. */
const step: Handler<Act, Log> = async ({ task: t, action, context, progress }) => {
  context.push(`start ${t.id}`);
  progress("working");
  await new Promise((r) => setImmediate(r));
  context.push(`end ${t.id}`);
  if (action.fail) throw new Error(`${t.id} broke`);
  return `${t.id} ok`;
};
const handlers = { create: step, version: step, test: step };

describe("runTasks", () => {
  it("runs every action after its dependencies and reports typed events", async () => {
    const log: Log = [];
    const events: ApplyEvent[] = [];
    const results = await runTasks({
      tasks: [task("t", "m1", "test", ["v"]), task("v", "m1", "version", ["c"]), task("c", "m1", "create")],
      handlers,
      context: log,
      parallelism: 4,
      onEvent: (e) => events.push(e),
    });
    expect(log).toEqual(["start c", "end c", "start v", "end v", "start t", "end t"]);
    expect(results.map((r) => [r.id, r.outcome])).toEqual([
      ["c", "succeeded"],
      ["v", "succeeded"],
      ["t", "succeeded"],
    ]);
    expect(events.filter((e) => e.id === "v").map((e) => e.type)).toEqual([
      "action-started",
      "action-progress",
      "action-succeeded",
    ]);
  });

  it("never runs more than `parallelism` actions at once", async () => {
    let now = 0;
    let peak = 0;
    const counting: Handler<Act, null> = async () => {
      now += 1;
      peak = Math.max(peak, now);
      await new Promise((r) => setImmediate(r));
      now -= 1;
    };
    const tasks = Array.from({ length: 12 }, (_, i) => task(`a${i}`, `m${i}`, "create"));
    await runTasks({ tasks, handlers: { create: counting }, context: null, parallelism: 3 });
    expect(peak).toBe(3);
  });

  it("skips the dependents of a failed action while independent models go on", async () => {
    const log: Log = [];
    const events: ApplyEvent[] = [];
    const results = await runTasks({
      tasks: [
        task("c1", "m1", "create", [], { fail: true }),
        task("v1", "m1", "version", ["c1"]),
        task("t1", "m1", "test", ["v1"]),
        task("c2", "m2", "create"),
        task("v2", "m2", "version", ["c2"]),
      ],
      handlers,
      context: log,
      parallelism: 1,
      onEvent: (e) => events.push(e),
    });
    const outcome = Object.fromEntries(results.map((r) => [r.id, r.outcome]));
    expect(outcome).toEqual({
      c1: "failed",
      v1: "skipped",
      t1: "skipped",
      c2: "succeeded",
      v2: "succeeded",
    });
    expect(log).not.toContain("start v1");
    expect(events.find((e) => e.type === "action-failed")).toMatchObject({ id: "c1", error: "c1 broke" });
    expect(events.find((e) => e.id === "t1")).toMatchObject({
      type: "action-skipped",
      reason: "dependency-failed",
    });
    expect(totals(results)).toEqual({ succeeded: 2, failed: 1, skipped: 2, stale: 0 });
  });

  it("refuses exactly the actions whose precheck reports them stale, and their dependents", async () => {
    const log: Log = [];
    const results = await runTasks({
      tasks: [task("u1", "m1", "version"), task("t1", "m1", "test", ["u1"]), task("u2", "m2", "version")],
      handlers,
      context: log,
      parallelism: 2,
      precheck: (t) => Promise.resolve(t.key === "m1" ? "latest version moved from v1 to v2" : undefined),
    });
    expect(results.map((r) => [r.id, r.outcome, r.message])).toEqual([
      ["u1", "stale", "latest version moved from v1 to v2"],
      ["t1", "skipped", "version m1 was stale"],
      ["u2", "succeeded", "u2 ok"],
    ]);
    expect(log).toEqual(["start u2", "end u2"]);
  });

  it("treats a precheck that cannot reach the server as a failure, not as stale", async () => {
    const results = await runTasks({
      tasks: [task("u1", "m1", "version")],
      handlers,
      context: [],
      parallelism: 1,
      precheck: () => Promise.reject(new Error("GET customModels/x/ failed: 503")),
    });
    expect(results[0]).toMatchObject({ outcome: "failed", message: "GET customModels/x/ failed: 503" });
  });

  it("starts nothing new after an abort and reports the rest skipped", async () => {
    const controller = new AbortController();
    const aborting: Handler<Act, null> = () => {
      controller.abort();
      return Promise.resolve();
    };
    const results = await runTasks({
      tasks: [task("a", "m1", "create"), task("b", "m2", "create"), task("c", "m1", "version", ["a"])],
      handlers: { create: aborting, version: aborting },
      context: null,
      parallelism: 1,
      signal: controller.signal,
    });
    expect(results.map((r) => r.outcome)).toEqual(["succeeded", "skipped", "skipped"]);
  });

  it("rejects cycles, unknown dependencies and action types without a handler", () => {
    expect(() =>
      topologicalOrder([task("a", "k", "create", ["b"]), task("b", "k", "create", ["a"])], handlers),
    ).toThrow(/dependency cycle: a -> b -> a/);
    expect(() => topologicalOrder([task("a", "k", "create", ["zz"])], handlers)).toThrow(
      /depends on unknown action zz/,
    );
    expect(() => topologicalOrder([task("a", "k", "teleport")], handlers)).toThrow(
      /no handler for action type teleport/,
    );
  });
});

describe("outcome table", () => {
  it("gives one row per resource, unchanged ones included", () => {
    const rows = summariseByResource(
      [
        { id: "1", key: "ns/a", type: "createVersion", outcome: "succeeded", message: "version 2.0" },
        { id: "2", key: "ns/a", type: "runTest", outcome: "failed", message: "errorCheck failed" },
        { id: "3", key: "ns/b", type: "updateModel", outcome: "succeeded" },
        { id: "4", key: "ns/c", type: "createVersion", outcome: "stale", message: "moved" },
      ],
      ["ns/a", "ns/b", "ns/c", "ns/d"],
    );
    expect(rows.map((r) => [r.key, r.outcome])).toEqual([
      ["ns/a", "failed"],
      ["ns/b", "succeeded"],
      ["ns/c", "skipped"],
      ["ns/d", "unchanged"],
    ]);
    const table = formatOutcomeTable(rows);
    expect(table).toContain("createVersion; runTest failed: errorCheck failed");
    expect(table).toContain("Resources: 1 succeeded, 1 failed, 1 skipped, 1 unchanged.");
  });

  it("prints one greppable line per event", () => {
    expect(
      formatEventLine({ type: "action-failed", id: "1", key: "ns/a", action: "runTest", error: "boom" }),
    ).toBe("FAILED   runTest ns/a: boom");
  });
});

describe("progress view", () => {
  it("keeps running actions in a live area on a TTY and prints finished ones as lines", () => {
    const written: string[] = [];
    const tty = Object.assign(new PassThrough(), { isTTY: true });
    tty.on("data", (c: Buffer) => written.push(c.toString("utf8")));
    const view = createProgressView(tty);
    const base = { id: "1", key: "ns/a", action: "runTest" };
    view.onEvent({ type: "action-started", ...base });
    view.onEvent({ type: "action-progress", ...base, message: "test RUNNING" });
    view.onEvent({ type: "action-succeeded", ...base, message: "test succeeded" });
    view.close();
    const text = written.join("");
    expect(text).toContain("runTest ns/a: test RUNNING");
    expect(text).toContain("\x1b[1F\x1b[0J");
    expect(text).toContain("done     runTest ns/a: test succeeded\n");
  });
});
