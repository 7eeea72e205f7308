import { describe, expect, it } from "vitest";
import { renderHuman, renderJson, renderMarkdown } from "../../../src/cli/views/index.js";
import { parsePlan, type Plan } from "../../../src/reconcile/plan-file.js";
import { deployment, desired, file, freshLive, model, NS, planOf, registeredModel, testConfig } from "../../reconcile/builders.js";
import { newServer, observe, simulate } from "../../reconcile/simulate.js";
import { expectGolden } from "./golden.js";

/**
 * Golden files of a plan that rolls models out (the chain version -> registered version ->
 * deployment, its "Goes live" section, approval notes, drift of a deployment). `UPDATE_GOLDEN=1`
 * rewrites them.
 */



function scenario(): Plan {
  const state = (v: string, extra: { canary?: boolean } = {}) =>
    desired({
      models: [
        model("fraud", { test: testConfig(), files: [file("custom.py", `fraud ${v}`)] }),
        model("tagger", { targetType: "Unstructured", fields: { name: "tagger" }, files: [file("custom.py", `tagger ${v}`)] }),
      ],
      registeredModels: [registeredModel("fraud-rm", "fraud", { fields: { name: "Fraud" } })],
      deployments: [
        deployment("fraud-prod", "fraud-rm", {
          fields: { label: "Fraud (prod)", importance: "HIGH" },
          settings: { targetDrift: true },
        }),
        ...(extra.canary ? [deployment("fraud-canary", "fraud-rm", { fields: { label: "Fraud (canary)" } })] : []),
        deployment("tagger-prod", "", { serves: { kind: "model", key: `${NS}/tagger` }, fields: { label: "Tagger" } }),
      ],
    });
  const server = newServer(freshLive());
  simulate(server, planOf(state("v1"), observe(server, state("v1")), { createdAt: "t" }));
  // Behind drgitops' back: someone relabelled the production deployment.
  server.live.deployments.find((d) => d.key === `${NS}/fraud-prod`)!.label = "Fraud (edited)";
  const after = state("v2", { canary: true });
  return planOf(after, observe(server, after), { createdAt: "2026-01-01T00:00:00.000Z" });
}

describe("plan renderers of a rollout (golden files)", () => {
  const plan = scenario();

  it("human", async () => {
    await expectGolden("deploy.txt", await renderHuman(plan, { color: false }));
  });

  it("markdown", async () => {
    await expectGolden("deploy.md", await renderMarkdown(plan));
  });

  it("the plan file holds the chain and reads back as it was written", () => {
    expect(parsePlan(JSON.parse(renderJson(plan)), "plan.json")).toEqual(plan);
  });
});
