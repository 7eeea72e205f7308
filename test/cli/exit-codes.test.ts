import { describe, expect, it } from "vitest";
import { applyExitCode } from "../../src/cli/commands/apply.js";
import { planExitCode } from "../../src/cli/commands/plan.js";
import { totals } from "../../src/cli/views/outcome-table.js";
import type { TaskResult } from "../../src/reconcile/executor.js";
import type { Plan } from "../../src/reconcile/plan-file.js";

function plan(parts: { actions?: number; drift?: number; gate?: number; blocking?: number }): Plan {
  const action = {
    type: "updateModel" as const,
    id: "a",
    key: "ns/m",
    reasons: [],
    changes: [],
    dependsOn: [],
    expected: null,
    modelId: "m1",
    patch: { name: "x" },
  };
  return {
    formatVersion: 1,
    createdAt: "2026-01-01T00:00:00.000Z",
    namespace: "ns",
    options: {
      prune: false,
      maxDeletions: 5,
      targets: [],
      selector: {},
      skipTests: false,
      allowEmpty: false,
      secretKeyId: null,
    },
    actions: Array.from({ length: parts.actions ?? 0 }, (_, i) => ({ ...action, id: `a${i}` })),
    drift: Array.from({ length: parts.drift ?? 0 }, () => ({
      key: "ns/m",
      subject: "model" as const,
      summary: "renamed in the UI",
      changes: [],
    })),
    unchanged: [],
    gate: Array.from({ length: parts.gate ?? 0 }, () => ({
      key: "ns/m",
      modelId: "m1",
      versionId: "v1",
      versionLabel: "1.0",
      testId: "t1",
      outcome: "failed" as const,
      message: "errorCheck failed",
    })),
    untested: [],
    refusals: Array.from({ length: parts.blocking ?? 0 }, () => ({
      key: "ns/m",
      reason: "no execution environment is named x",
      blocking: true,
    })),
    summary: { actions: {}, total: 0, drift: 0, unchanged: 0, gate: 0, untested: 0, refusals: 0 },
  };
}

function run(...outcomes: [TaskResult["outcome"], TaskResult["reason"]?][]) {
  const results: TaskResult[] = outcomes.map(([outcome, reason], i) => ({
    id: `a${i}`,
    key: "ns/m",
    type: "createVersion",
    outcome,
    ...(reason ? { reason } : {}),
  }));
  return totals(results);
}

describe("plan exit codes (DESIGN §8)", () => {
  it.each([
    [{ actions: 0 }, {}, 0],
    [{ actions: 2 }, {}, 0],
    [{ actions: 2 }, { detailedExitcode: true }, 2],
    [{ actions: 0 }, { detailedExitcode: true }, 0],
    [{ actions: 1, drift: 1 }, { detailedExitcode: true }, 2],
    [{ actions: 1, drift: 1 }, { detailedExitcode: true, detectDrift: true }, 6],
    [{ actions: 0, gate: 1 }, { detailedExitcode: true }, 0],
    // A plan apply would refuse is never "no changes".
    [{ actions: 0, blocking: 1 }, { detailedExitcode: true }, 1],
    [{ actions: 0, blocking: 1 }, {}, 1],
    [{ actions: 1, drift: 1, blocking: 1 }, { detailedExitcode: true, detectDrift: true }, 1],
  ])("plan %o with %o exits %i", (parts, flags, code) => {
    expect(planExitCode(plan(parts), flags)).toBe(code);
  });
});

describe("apply exit codes (DESIGN §8)", () => {
  it("0 when everything succeeded", () => {
    expect(applyExitCode(plan({ actions: 1 }), run(["succeeded"]))).toBe(0);
  });
  it("4 when an action failed or the run was interrupted, even if a test also failed", () => {
    expect(applyExitCode(plan({}), run(["failed"], ["skipped", "dependency-failed"]))).toBe(4);
    expect(applyExitCode(plan({}), run(["failed"], ["gate-failed"]))).toBe(4);
    expect(applyExitCode(plan({}), run(["succeeded"], ["skipped", "aborted"]))).toBe(4);
  });
  it("5 when only stale actions of a saved plan were refused", () => {
    expect(
      applyExitCode(plan({}), run(["succeeded"], ["skipped", "stale"], ["skipped", "dependency-failed"])),
    ).toBe(5);
  });
  it("7 when a test failed now, or the gate still fails from an earlier run", () => {
    expect(
      applyExitCode(plan({}), run(["succeeded"], ["gate-failed"], ["skipped", "dependency-gated"])),
    ).toBe(7);
    expect(applyExitCode(plan({ gate: 1 }), run())).toBe(7);
  });
});
