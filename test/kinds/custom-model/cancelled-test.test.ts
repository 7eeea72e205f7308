import { describe, expect, it } from "vitest";
import type { CustomModelTest } from "../../../src/client/index.js";
import { liveTest, wasCancelled } from "../../../src/kinds/custom-model/live.js";
import type { DesiredState } from "../../../src/reconcile/state.js";
import { parseDescription, withTrailer } from "../../../src/reconcile/trailer.js";
import { desired, freshLive, model, planOf, testConfig } from "../../reconcile/builders.js";
import { newServer, observe, simulate } from "../../reconcile/simulate.js";

const state = (): DesiredState => desired({ models: [model("fraud", { test: testConfig() })] });

/** The examples applied, then the latest version's trailer without a test record and a latest test as given. */
function withLatestTest(overrides: { cancelled?: true; overallStatus: "failed" | "succeeded" }) {
  const server = newServer(freshLive());
  simulate(server, planOf(state(), observe(server, state()), { createdAt: "2026-01-01T00:00:00Z" }));
  const m = server.live.models[0]!;
  const v = m.latestVersion!;
  const trailer = { ...v.trailer! };
  delete trailer.test;
  v.description = withTrailer("", trailer);
  v.trailer = parseDescription(v.description).trailer;
  server.tests[m.key] = {
    id: "t-cancelled",
    versionId: v.id,
    overallStatus: overrides.overallStatus,
    failedChecks:
      overrides.overallStatus === "failed" ? [{ check: "errorCheck", message: "Testing was cancelled" }] : [],
    ...(overrides.cancelled ? { cancelled: true as const } : {}),
  };
  return planOf(state(), observe(server, state()), { createdAt: "2026-01-01T00:00:00Z" });
}

const wire = (errorCheck: string): CustomModelTest => ({
  id: "t1",
  customModelVersion: { id: "v1", label: "1.0" },
  overallStatus: "failed",
  testingStatus: { errorCheck: { status: "failed", message: errorCheck } },
});

describe("a cancelled test", () => {
  it("is recognised by API.md §3.2's errorCheck message, and only by it", () => {
    expect(wasCancelled(wire("Testing was cancelled"))).toBe(true);
    expect(liveTest(wire("Testing was cancelled")).cancelled).toBe(true);
    expect(wasCancelled(wire("no entry point"))).toBe(false);
    expect(liveTest(wire("no entry point"))).not.toHaveProperty("cancelled");
  });

  it("gates nothing: the next plan runs the test again instead of recording a failure", () => {
    const plan = withLatestTest({ overallStatus: "failed", cancelled: true });
    expect(plan.gate).toEqual([]);
    expect(plan.actions.map((a) => a.type)).toEqual(["runTest"]);
    expect(plan.actions[0]!.reasons).toEqual(["the latest test was cancelled"]);
  });

  it("while a test that failed on its own still fails the gate", () => {
    const plan = withLatestTest({ overallStatus: "failed" });
    expect(plan.gate).toHaveLength(1);
    expect(plan.actions.map((a) => a.type)).toEqual(["annotateVersion"]);
  });
});
