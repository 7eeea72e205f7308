import { describe, expect, it } from "vitest";
import { parsePlan, type Plan } from "../../../src/reconcile/plan-file.js";
import type { DesiredState } from "../../../src/reconcile/state.js";
import { desired, file, freshLive, model, NS, planOf, testConfig } from "../../reconcile/builders.js";
import { newServer, observe, simulate, type Server } from "../../reconcile/simulate.js";

const AT = "2026-01-01T00:00:00.000Z";

function planFor(server: Server, state: DesiredState): Plan {
  return planOf(state, observe(server, state), { createdAt: AT });
}

function types(plan: Plan): string[] {
  return plan.actions.map((a) => `${a.type} ${a.key.slice(NS.length + 1)}`);
}

describe("a model without a test section (DESIGN.md §3: test is optional)", () => {
  const untested = desired({ models: [model("pricing", { test: null })] });

  it("gets a model and a version but no test run, and the plan lists it as untested", () => {
    const plan = planFor(newServer(freshLive()), untested);
    expect(types(plan)).toEqual(["createModel pricing", "createVersion pricing"]);
    expect(plan.untested).toEqual([`${NS}/pricing`]);
    expect(plan.summary.untested).toBe(1);
  });

  it("is still listed as untested when nothing changes, and needs no test call to know it", () => {
    const server = newServer(freshLive());
    simulate(server, planFor(server, untested));
    const plan = planFor(server, untested);
    expect(plan.actions).toEqual([]);
    expect(plan.unchanged).toEqual([`${NS}/pricing`]);
    expect(plan.untested).toEqual([`${NS}/pricing`]);
  });

  it("lists only the models without a test, sorted, and a tested one is not among them", () => {
    const state = desired({
      models: [model("zeta"), model("alpha"), model("tested", { test: testConfig() })],
    });
    expect(planFor(newServer(freshLive()), state).untested).toEqual([`${NS}/alpha`, `${NS}/zeta`]);
  });

  it("is not gated by a failed test recorded before its test section was removed", () => {
    const tested = desired({ models: [model("pricing", { test: testConfig() })] });
    const server = newServer(freshLive());
    simulate(server, planFor(server, tested), { testOutcome: () => "failed" });
    expect(planFor(server, tested).gate).toHaveLength(1);
    const plan = planFor(server, untested);
    expect(plan.gate).toEqual([]);
    expect(plan.untested).toEqual([`${NS}/pricing`]);
  });

  it("a new version of an untested model runs no test", () => {
    const server = newServer(freshLive());
    simulate(server, planFor(server, untested));
    const edited = desired({ models: [model("pricing", { files: [file("custom.py", "v2")] })] });
    expect(types(planFor(server, edited))).toEqual(["createVersion pricing"]);
  });
});

describe("the untested list in the plan file", () => {
  it("is written with the plan, and a plan saved before it existed still parses (as none)", () => {
    const plan = planFor(newServer(freshLive()), desired({ models: [model("pricing")] }));
    const json = JSON.parse(JSON.stringify(plan)) as Record<string, unknown>;
    expect(parsePlan(json, "plan.json").untested).toEqual([`${NS}/pricing`]);
    const older: Record<string, unknown> = { ...json, summary: { ...(json["summary"] as object) } };
    delete older["untested"];
    delete (older["summary"] as Record<string, unknown>)["untested"];
    const parsed = parsePlan(older, "old.json");
    expect(parsed.untested).toEqual([]);
    expect(parsed.summary.untested).toBe(0);
  });
});
