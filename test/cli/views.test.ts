import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createJsonLinesView, outcomeJson } from "../../src/cli/views/apply-json.js";
import { createProgressView, formatEventLine } from "../../src/cli/views/apply-progress.js";
import { formatOutcomeTable, summariseByResource, totals } from "../../src/cli/views/outcome-table.js";

describe("outcome table", () => {
  it("gives one row per resource, unchanged ones included", () => {
    const rows = summariseByResource(
      [
        { id: "1", key: "ns/a", type: "createVersion", outcome: "succeeded", message: "version 2.0" },
        { id: "2", key: "ns/a", type: "runTest", outcome: "failed", message: "errorCheck failed" },
        { id: "3", key: "ns/b", type: "updateModel", outcome: "succeeded" },
        {
          id: "4",
          key: "ns/c",
          type: "createVersion",
          outcome: "skipped",
          reason: "stale",
          message: "moved",
        },
        {
          id: "5",
          key: "ns/e",
          type: "runTest",
          outcome: "gate-failed",
          message: "test t1 failed: sideEffects",
        },
      ],
      ["ns/a", "ns/b", "ns/c", "ns/d"],
    );
    expect(rows.map((r) => [r.key, r.outcome])).toEqual([
      ["ns/a", "failed"],
      ["ns/b", "succeeded"],
      ["ns/c", "skipped"],
      ["ns/d", "unchanged"],
      ["ns/e", "failed"],
    ]);
    const table = formatOutcomeTable(rows);
    expect(table).toContain("createVersion; runTest failed: errorCheck failed");
    expect(table).toContain("createVersion stale: moved");
    // A gate that did not pass reads as a failure to a person.
    expect(table).toContain("runTest failed: test t1 failed: sideEffects");
    expect(table).toContain("Resources: 1 succeeded, 2 failed, 1 skipped, 1 unchanged.");
  });

  it("has a DURATION column (the summed time of each resource's actions) and the run's total time", () => {
    const rows = summariseByResource(
      [
        { id: "1", key: "ns/a", type: "createVersion", outcome: "succeeded", durationMs: 2_300 },
        { id: "2", key: "ns/a", type: "runTest", outcome: "succeeded", durationMs: 190_000 },
        { id: "3", key: "ns/b", type: "runTest", outcome: "skipped", reason: "dependency-failed" },
      ],
      ["ns/a", "ns/b", "ns/c"],
    );
    const lines = formatOutcomeTable(rows, { totalMs: 245_000 }).split("\n");
    expect(lines[0]).toMatch(/^RESOURCE\s+OUTCOME\s+DURATION\s+DETAIL$/);
    expect(lines[1]).toMatch(/^ns\/a\s+succeeded\s+3m12s\s+createVersion; runTest$/);
    // Nothing of ns/b ran and ns/c had nothing to do: no time to show.
    expect(lines[2]).toMatch(/^ns\/b\s+skipped\s+runTest skipped$/);
    expect(lines[3]).toMatch(/^ns\/c\s+unchanged$/);
    expect(lines.at(-2)).toBe("Resources: 1 succeeded, 0 failed, 1 skipped, 1 unchanged; total time 4m05s.");
  });

  it("prints one greppable line per event", () => {
    expect(
      formatEventLine({
        type: "action-failed",
        id: "1",
        key: "ns/a",
        action: "runTest",
        at: "2026-01-01T00:00:00.000Z",
        error: "boom",
        gate: false,
        durationMs: 5,
      }),
    ).toBe("FAILED   runTest ns/a: boom [0.0s]");
  });
});

describe("progress view", () => {
  it("keeps running actions in a live area on a TTY and prints finished ones as lines", () => {
    const written: string[] = [];
    const tty = Object.assign(new PassThrough(), { isTTY: true, columns: 80 });
    tty.on("data", (c: Buffer) => written.push(c.toString("utf8")));
    const view = createProgressView(tty, { env: {}, total: 1 });
    const base = { id: "1", key: "ns/a", action: "runTest", at: "2026-01-01T00:00:00.000Z" };
    view.onEvent({ type: "action-started", ...base });
    view.onEvent({ type: "action-progress", ...base, message: "test RUNNING", elapsedMs: 10 });
    view.onEvent({ type: "action-succeeded", ...base, message: "test succeeded", durationMs: 20 });
    view.close();
    const text = written.join("");
    expect(text).toContain("ns/a: testing");
    expect(text).toContain("\x1b[2F\x1b[0J");
    expect(text).toContain("done     runTest ns/a: test succeeded [0.0s]\n");
  });
});

describe("JSON lines view", () => {
  it("writes each event as one JSON object per line, then the outcome", () => {
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on("data", (c: Buffer) => chunks.push(c.toString()));
    const view = createJsonLinesView(out);
    const base = { id: "1", key: "ns/a", action: "createVersion", at: "2026-01-01T00:00:00.000Z" };
    view.onEvent({ type: "action-started", ...base });
    view.onEvent({ type: "action-succeeded", ...base, durationMs: 3 });
    const results = [
      { id: "1", key: "ns/a", type: "createVersion", outcome: "succeeded" as const, durationMs: 3 },
    ];
    out.write(outcomeJson(summariseByResource(results, []), totals(results), { exitCode: 0, gate: [] }));
    const lines = chunks
      .join("")
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l["type"])).toEqual(["action-started", "action-succeeded", "outcome"]);
    expect(lines[2]).toMatchObject({ exitCode: 0, resources: [{ key: "ns/a", outcome: "succeeded" }] });
  });
});
