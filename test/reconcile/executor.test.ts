import { describe, expect, it } from "vitest";
import type { ApplyEvent } from "../../src/reconcile/events.js";
import { runTasks, topologicalOrder, type RunTask, type Task } from "../../src/reconcile/executor.js";
import type { Outcome } from "../../src/reconcile/io.js";
import { totals } from "../../src/cli/views/outcome-table.js";

interface Act {
  /** `throw`: an I/O failure; `failed` / `gate-failed`: an outcome the handler reports. */
  fail?: "throw" | "failed" | "gate-failed";
  produces?: Record<string, string>;
  /** Ids this action resolves from earlier ones: `[field, fromAction]`. */
  needs?: [string, string][];
}
type Log = string[];

function task(id: string, key: string, type: string, dependsOn: string[] = [], action: Act = {}): Task<Act> {
  return { id, key, type, dependsOn, action };
}

/** A task runner that records start/end into a log and yields to let others interleave. */
function stepper(log: Log): RunTask<Act> {
  return async (t, { progress, resolve }) => {
    log.push(`start ${t.id}`);
    for (const [field, from] of t.action.needs ?? [])
      log.push(`${t.id} got ${resolve({ fromAction: from }, field)}`);
    progress("working");
    await new Promise((r) => setImmediate(r));
    log.push(`end ${t.id}`);
    if (t.action.fail === "throw") throw new Error(`${t.id} broke`);
    if (t.action.fail) return { status: t.action.fail, message: `${t.id} did not pass` };
    return {
      status: "succeeded",
      message: `${t.id} ok`,
      ...(t.action.produces ? { produced: t.action.produces } : {}),
    };
  };
}

describe("runTasks", () => {
  it("runs every action after its dependencies and reports typed events", async () => {
    const log: Log = [];
    const events: ApplyEvent[] = [];
    const results = await runTasks({
      tasks: [task("t", "m1", "test", ["v"]), task("v", "m1", "version", ["c"]), task("c", "m1", "create")],
      run: stepper(log),
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
    const counting: RunTask<Act> = async () => {
      now += 1;
      peak = Math.max(peak, now);
      await new Promise((r) => setImmediate(r));
      now -= 1;
      return { status: "succeeded" };
    };
    const tasks = Array.from({ length: 12 }, (_, i) => task(`a${i}`, `m${i}`, "create"));
    await runTasks({ tasks, run: counting, parallelism: 3 });
    expect(peak).toBe(3);
  });

  it("skips the dependents of a failed action while independent models go on", async () => {
    const log: Log = [];
    const events: ApplyEvent[] = [];
    const results = await runTasks({
      tasks: [
        task("c1", "m1", "create", [], { fail: "throw" }),
        task("v1", "m1", "version", ["c1"]),
        task("t1", "m1", "test", ["v1"]),
        task("c2", "m2", "create"),
        task("v2", "m2", "version", ["c2"]),
      ],
      run: stepper(log),
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
    expect(totals(results)).toEqual({
      succeeded: 2,
      failed: 1,
      gateFailed: 0,
      skipped: 2,
      stale: 0,
      aborted: 0,
    });
  });

  it("refuses exactly the actions whose precheck reports them stale, and their dependents", async () => {
    const log: Log = [];
    const results = await runTasks({
      tasks: [task("u1", "m1", "version"), task("t1", "m1", "test", ["u1"]), task("u2", "m2", "version")],
      run: stepper(log),
      parallelism: 2,
      precheck: (t) => Promise.resolve(t.key === "m1" ? "latest version moved from v1 to v2" : undefined),
    });
    expect(results.map((r) => [r.id, r.outcome, r.reason, r.message])).toEqual([
      ["u1", "skipped", "stale", "latest version moved from v1 to v2"],
      ["t1", "skipped", "dependency-failed", "version m1 was stale"],
      ["u2", "succeeded", undefined, "u2 ok"],
    ]);
    expect(log).toEqual(["start u2", "end u2"]);
  });

  it("treats a precheck that cannot reach the server as a failure, not as stale", async () => {
    const results = await runTasks({
      tasks: [task("u1", "m1", "version")],
      run: stepper([]),
      parallelism: 1,
      precheck: () => Promise.reject(new Error("GET customModels/x/ failed: 503")),
    });
    expect(results[0]).toMatchObject({ outcome: "failed", message: "GET customModels/x/ failed: 503" });
  });

  it("starts nothing new after an abort and reports the rest skipped", async () => {
    const controller = new AbortController();
    const aborting: RunTask<Act> = () => {
      controller.abort();
      return Promise.resolve<Outcome>({ status: "succeeded" });
    };
    const results = await runTasks({
      tasks: [task("a", "m1", "create"), task("b", "m2", "create"), task("c", "m1", "version", ["a"])],
      run: aborting,
      parallelism: 1,
      signal: controller.signal,
    });
    expect(results.map((r) => r.outcome)).toEqual(["succeeded", "skipped", "skipped"]);
  });

  it("finishes the running action but starts no other once stopStarting is aborted", async () => {
    const stop = new AbortController();
    const seen: boolean[] = [];
    const stopping: RunTask<Act> = async (_t, { signal }) => {
      stop.abort();
      await new Promise((r) => setImmediate(r));
      // The action's own signal is untouched: it completes its request.
      seen.push(signal.aborted);
      return { status: "succeeded" };
    };
    const results = await runTasks({
      tasks: [task("a", "m1", "create"), task("b", "m2", "create"), task("c", "m1", "version", ["a"])],
      run: stopping,
      parallelism: 1,
      stopStarting: stop.signal,
    });
    expect(seen).toEqual([false]);
    expect(results.map((r) => [r.id, r.outcome, r.reason])).toEqual([
      ["a", "succeeded", undefined],
      ["b", "skipped", "aborted"],
      ["c", "skipped", "aborted"],
    ]);
  });

  it("rejects cycles and unknown dependencies", () => {
    expect(() =>
      topologicalOrder([task("a", "k", "create", ["b"]), task("b", "k", "create", ["a"])]),
    ).toThrow(/dependency cycle: a -> b -> a/);
    expect(() => topologicalOrder([task("a", "k", "create", ["zz"])])).toThrow(
      /depends on unknown action zz/,
    );
  });

  it("records a gate that did not pass as data: its dependents are skipped as gated, not as failed", async () => {
    const events: ApplyEvent[] = [];
    const results = await runTasks({
      tasks: [
        task("test", "m1", "runTest", [], { fail: "gate-failed" }),
        task("register", "m1", "registerVersion", ["test"]),
        task("deploy", "d1", "replaceDeploymentModel", ["register"]),
        task("other", "m2", "createVersion"),
      ],
      run: stepper([]),
      parallelism: 1,
      onEvent: (e) => events.push(e),
    });
    expect(results.map((r) => [r.id, r.outcome, r.reason])).toEqual([
      ["test", "gate-failed", undefined],
      ["register", "skipped", "dependency-gated"],
      ["deploy", "skipped", "dependency-gated"],
      ["other", "succeeded", undefined],
    ]);
    expect(events.find((e) => e.type === "action-failed")).toMatchObject({ id: "test", gate: true });
    expect(totals(results)).toMatchObject({ gateFailed: 1, failed: 0, skipped: 2 });
  });

  it("hands the ids an action produced to the actions that depend on it, and refuses a missing one", async () => {
    const log: Log = [];
    const results = await runTasks({
      tasks: [
        task("create", "m1", "createModel", [], { produces: { modelId: "m-42" } }),
        task("version", "m1", "createVersion", ["create"], { needs: [["modelId", "create"]] }),
        task("bad", "m1", "runTest", ["create"], { needs: [["versionId", "create"]] }),
      ],
      run: stepper(log),
      parallelism: 1,
    });
    expect(log).toContain("version got m-42");
    expect(results.map((r) => r.outcome)).toEqual(["succeeded", "succeeded", "failed"]);
    expect(results[0]!.produced).toEqual({ modelId: "m-42" });
    expect(results[2]!.message).toMatch(/did not produce a versionId/);
  });

  it("times each action that ran", async () => {
    let clock = 1_000;
    const results = await runTasks({
      tasks: [task("slow", "m1", "create")],
      run: () => {
        clock += 2_500;
        return Promise.resolve<Outcome>({ status: "succeeded" });
      },
      parallelism: 1,
      now: () => clock,
    });
    expect(results[0]!.durationMs).toBe(2_500);
  });
});
