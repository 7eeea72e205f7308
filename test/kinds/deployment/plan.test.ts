import { describe, expect, it } from "vitest";
import { deploymentRender } from "../../../src/kinds/deployment/render.js";
import type { DesiredState } from "../../../src/reconcile/state.js";
import { parseDescription } from "../../../src/reconcile/trailer.js";
import {
  deployment,
  desired,
  file,
  freshLive,
  model,
  needsOf,
  NS,
  registeredModel,
  testConfig,
} from "../../reconcile/builders.js";
import { newServer, observe, simulate, type Server } from "../../reconcile/simulate.js";
import { applied, only, planFor, types } from "../plan-helpers.js";

/** A tested model, its registered model and a deployment of it; `v` changes the model's code. */
function chain(v = "v1", overrides: Parameters<typeof deployment>[2] = {}): DesiredState {
  return desired({
    models: [model("fraud", { test: testConfig(), files: [file("custom.py", v)] })],
    registeredModels: [registeredModel("fraud-rm", "fraud")],
    deployments: [deployment("fraud-prod", "fraud-rm", overrides)],
  });
}

/** What a deployment serves: its champion's custom model version. */
function served(server: Server, name: string): string | null {
  return server.live.deployments.find((d) => d.key === `${NS}/${name}`)?.champion.versionId ?? null;
}
const latest = (server: Server): string => server.live.models[0]!.latestVersion!.id;

describe("Deployment: from commit to deployment", () => {
  it("creates the whole chain in order and then has nothing to do, without reading settings", () => {
    const state = chain("v1", { settings: { targetDrift: true } });
    const plan = planFor(newServer(freshLive()), state);
    expect(types(plan)).toEqual([
      "createModel fraud",
      "createVersion fraud",
      "runTest fraud",
      "registerVersion fraud-rm",
      "createDeployment fraud-prod",
    ]);
    const create = only(plan, "createDeployment");
    expect(create.package).toEqual({ fromAction: "registerVersion:acme/models/fraud-rm" });
    expect(create.dependsOn).toEqual(["registerVersion:acme/models/fraud-rm"]);
    expect(create.userProvidedId).toBe(`${NS}/fraud-prod`);
    expect(create.settings).toEqual({ targetDrift: { enabled: true } });

    const server = newServer(freshLive());
    simulate(server, plan);
    expect(served(server, "fraud-prod")).toBe(latest(server));
    const listed = observe(server, state);
    expect(needsOf(state, { ...listed, deploymentSettings: {} }, "deploymentSettings")).toEqual([]);
    expect(planFor(server, state).actions).toEqual([]);
  });

  it("a change to the model: one version, one registered version, one replacement, nothing else", () => {
    const server = applied(chain("v1"));
    const plan = planFor(server, chain("v2"));
    expect(types(plan)).toEqual([
      "createVersion fraud",
      "runTest fraud",
      "registerVersion fraud-rm",
      "replaceDeploymentModel fraud-prod",
    ]);
    const replace = only(plan, "replaceDeploymentModel");
    expect(replace.dependsOn).toEqual(["registerVersion:acme/models/fraud-rm"]);
    expect(replace.package).toEqual({ fromAction: "registerVersion:acme/models/fraud-rm" });
    expect(replace.current.registeredVersion).toBe(1);
    expect(plan.drift).toEqual([]);
    simulate(server, plan);
    expect(served(server, "fraud-prod")).toBe(latest(server));
    expect(planFor(server, chain("v2")).actions).toEqual([]);
  });

  it("the plan says what goes live: model version -> registered version -> deployment", () => {
    const server = applied(chain("v1"));
    const section = deploymentRender.section(planFor(server, chain("v2")).actions);
    expect(section?.lines).toEqual([
      "fraud new version (if its test passes) -> fraud-rm v2 (new) -> fraud-prod (replaces v1)",
    ]);
    expect(deploymentRender.section(planFor(server, chain("v1")).actions)).toBeNull();
  });

  it("a failed test stops the chain: the deployment keeps its champion, and the gate holds", () => {
    const server = applied(chain("v1"));
    const before = served(server, "fraud-prod");
    simulate(server, planFor(server, chain("v2")), { testOutcome: () => "failed" });
    expect(served(server, "fraud-prod")).toBe(before);
    expect(server.live.packages).toHaveLength(1);
    const again = planFor(server, chain("v2"));
    expect(again.actions).toEqual([]);
    expect(again.gate).toHaveLength(1);
  });

  it("a failing validation leaves the deployment as it is; the next plan replaces again, not as drift", () => {
    const server = applied(chain("v1"));
    const before = served(server, "fraud-prod");
    simulate(server, planFor(server, chain("v2")), { validation: () => "targetName: renamed" });
    expect(served(server, "fraud-prod")).toBe(before);
    const again = planFor(server, chain("v2"));
    expect(types(again)).toEqual(["replaceDeploymentModel fraud-prod"]);
    expect(only(again, "replaceDeploymentModel").package).toEqual({ id: server.live.packages[1]!.id });
    expect(again.drift).toEqual([]);
  });

  it("a champion replaced outside drgitops is drift, and the plan restores it", () => {
    const server = applied(chain("v1"));
    simulate(server, planFor(server, chain("v2")));
    const d = server.live.deployments[0]!;
    const old = server.live.packages[0]!;
    d.champion = { ...d.champion, packageId: old.id, versionId: old.versionId };
    const plan = planFor(server, chain("v2"));
    expect(plan.drift.map((x) => [x.key, x.subject])).toEqual([[`${NS}/fraud-prod`, "deployment"]]);
    expect(only(plan, "replaceDeploymentModel").package).toEqual({ id: server.live.packages[1]!.id });
    simulate(server, plan);
    expect(served(server, "fraud-prod")).toBe(latest(server));
    expect(planFor(server, chain("v2")).actions).toEqual([]);
  });

  it("records the champion when a run stopped between the replacement and the trailer", () => {
    const server = applied(chain("v1"));
    simulate(server, planFor(server, chain("v2")));
    const d = server.live.deployments[0]!;
    d.description = d.description.replace(/^Drgitops-Fingerprint: .*\n/m, "");
    d.trailer = parseDescription(d.description).trailer;
    const plan = planFor(server, chain("v2"));
    expect(plan.drift).toEqual([]);
    expect(types(plan)).toEqual(["updateDeployment fraud-prod"]);
    expect(only(plan, "updateDeployment").trailer.fingerprint).toBeDefined();
  });
});

describe("Deployment: fields, settings and drift", () => {
  it("a label edited outside drgitops is drift; one edited in the manifest is a change", () => {
    const server = applied(chain("v1", { fields: { label: "Fraud" } }));
    server.live.deployments[0]!.label = "edited";
    const drifted = planFor(server, chain("v1", { fields: { label: "Fraud" } }));
    expect(drifted.drift.map((d) => d.subject)).toEqual(["deployment"]);
    expect(only(drifted, "updateDeployment").patch).toEqual({ label: "Fraud" });
    const intended = planFor(server, chain("v1", { fields: { label: "Fraud v2" } }));
    expect(intended.drift).toEqual([]);
    expect(only(intended, "updateDeployment").reasons).toEqual(["label changed in the manifest"]);
  });

  it("settings are read only when the trailer does not vouch for them, or when drift is looked for", () => {
    const state = chain("v1", {
      settings: { targetDrift: true, associationId: { column: "id", required: false } },
    });
    const server = applied(state);
    const listed = { ...observe(server, state), deploymentSettings: {} };
    expect(needsOf(state, listed, "deploymentSettings")).toEqual([]);
    // A setting edited in the UI is invisible to the listing: only --detect-drift reads it.
    server.settings[server.live.deployments[0]!.id]!.targetDrift = false;
    expect(planFor(server, state).actions).toEqual([]);
    const detected = planFor(server, state, { detectDrift: true });
    expect(detected.drift.map((d) => d.summary)).toEqual(["settings.targetDrift changed outside drgitops"]);
    expect(only(detected, "updateDeployment").settings).toEqual({ targetDrift: { enabled: true } });
    simulate(server, detected);
    expect(planFor(server, state, { detectDrift: true }).actions).toEqual([]);
  });

  it("a settings change in the manifest reads the settings and patches only what differs", () => {
    const server = applied(chain("v1", { settings: { targetDrift: true } }));
    const edited = chain("v1", { settings: { targetDrift: true, featureDrift: true } });
    const plan = planFor(server, edited);
    expect(plan.drift).toEqual([]);
    expect(only(plan, "updateDeployment").settings).toEqual({ featureDrift: { enabled: true } });
    simulate(server, plan);
    expect(planFor(server, edited).actions).toEqual([]);
  });

  it("notes on the actions of a deployment above LOW that DataRobot may hold them for approval", () => {
    const high = planFor(newServer(freshLive()), chain("v1", { fields: { label: "p", importance: "HIGH" } }));
    expect(only(high, "createDeployment").reasons.join(" ")).toMatch(/importance HIGH: DataRobot may hold/);
    const low = planFor(newServer(freshLive()), chain("v1", { fields: { label: "p", importance: "LOW" } }));
    expect(only(low, "createDeployment").reasons.join(" ")).not.toMatch(/approv/);
    const server = applied(chain("v1", { fields: { label: "p", importance: "CRITICAL" } }));
    const replace = only(
      planFor(server, chain("v2", { fields: { label: "p", importance: "CRITICAL" } })),
      "replaceDeploymentModel",
    );
    expect(replace.reasons.join(" ")).toMatch(/importance CRITICAL/);
  });

  it("refuses to point a deployment at a model of another target type", () => {
    const server = applied(chain("v1"));
    server.live.deployments[0]!.targetType = "Binary";
    const plan = planFor(server, chain("v2"));
    expect(plan.actions.some((a) => a.type === "replaceDeploymentModel")).toBe(false);
    expect(plan.refusals.find((r) => r.key === `${NS}/fraud-prod`)?.blocking).toBe(true);
  });

  it("refuses a prediction environment that does not exist, pointing at the field's line and column", () => {
    const source = {
      file: "manifests/fraud-prod.yaml",
      line: 1,
      fields: {
        "spec.predictionEnvironment": { line: 7, column: 26 },
        "spec.registeredModel": { line: 5, column: 20 },
      },
    };
    const plan = planFor(
      newServer(freshLive()),
      chain("v1", { predictionEnvironment: { name: "Nowhere" }, source }),
    );
    expect(plan.refusals.find((r) => r.key === `${NS}/fraud-prod`)?.reason).toMatch(
      /^manifests\/fraud-prod\.yaml:7:26: no prediction environment is named "Nowhere"/,
    );
    // Another target type is refused at what the deployment serves.
    const server = applied(chain("v1"));
    server.live.deployments[0]!.targetType = "Binary";
    expect(
      planFor(server, chain("v2", { source })).refusals.find((r) => r.key === `${NS}/fraud-prod`)?.reason,
    ).toMatch(/^manifests\/fraud-prod\.yaml:5:20: deployment \S+ serves a Binary model/);
    const named = planFor(
      newServer(freshLive()),
      chain("v1", { predictionEnvironment: { name: "Default" } }),
    );
    expect(only(named, "createDeployment").predictionEnvironmentId).toBe("pe-default");
  });
});

describe("Deployment: serving a custom model directly", () => {
  const direct = (v: string): DesiredState =>
    desired({
      models: [model("tagger", { files: [file("custom.py", v)] })],
      deployments: [deployment("tagger-prod", "", { serves: { kind: "model", key: `${NS}/tagger` } })],
    });

  it("deploys the model's latest version through a package made for it, and follows new versions", () => {
    const plan = planFor(newServer(freshLive()), direct("v1"));
    expect(only(plan, "createDeployment").package).toEqual({
      version: { fromAction: "createVersion:acme/models/tagger" },
    });
    const server = newServer(freshLive());
    simulate(server, plan);
    expect(served(server, "tagger-prod")).toBe(latest(server));
    expect(planFor(server, direct("v1")).actions).toEqual([]);
    simulate(server, planFor(server, direct("v2")));
    expect(served(server, "tagger-prod")).toBe(latest(server));
    expect(server.live.packages).toHaveLength(2);
  });
});

describe("Deployment: prune", () => {
  const state = chain("v1");
  const withoutDeployment = desired({
    models: [model("fraud", { test: testConfig(), files: [file("custom.py", "v1")] })],
    registeredModels: [registeredModel("fraud-rm", "fraud")],
  });

  it("deletes a deployment whose manifest is gone only with --prune", () => {
    const server = applied(state);
    expect(planFor(server, withoutDeployment).actions).toEqual([]);
    const pruned = planFor(server, withoutDeployment, { prune: true });
    expect(types(pruned)).toEqual(["deleteDeployment fraud-prod"]);
  });

  it("never deletes a protected deployment", () => {
    const server = applied(chain("v1", { protected: true }));
    const pruned = planFor(server, withoutDeployment, { prune: true });
    expect(pruned.actions).toEqual([]);
    expect(pruned.refusals.find((r) => r.key === `${NS}/fraud-prod`)?.reason).toMatch(/protected/);
  });

  it("never deletes the model a deployment serves, and --max-deletions counts deployments", () => {
    const server = applied(state);
    // No manifest at all: a prune of everything, which needs --allow-empty.
    const nothing = desired();
    expect(planFor(server, nothing, { prune: true }).actions).toEqual([]);
    const pruned = planFor(server, nothing, { prune: true, allowEmpty: true });
    expect(types(pruned)).toEqual(["deleteDeployment fraud-prod"]);
    expect(pruned.refusals.find((r) => r.key === `${NS}/fraud`)?.reason).toMatch(/1 deployment\(s\)/);
    const capped = planFor(server, nothing, { prune: true, allowEmpty: true, maxDeletions: 0 });
    expect(capped.actions).toEqual([]);
    expect(capped.refusals.some((r) => r.blocking && r.reason.includes("fraud-prod"))).toBe(true);
    // Once the deployment is gone, the model goes on the next run.
    simulate(server, pruned);
    expect(types(planFor(server, nothing, { prune: true, allowEmpty: true }))).toEqual(["deleteModel fraud"]);
  });
});

describe("Deployment: a run stopped at any point converges without duplicates", () => {
  it("for every crash point of a deploying plan", () => {
    const first = planFor(newServer(freshLive()), chain("v1"));
    for (let stopAt = 0; stopAt <= first.actions.length; stopAt++) {
      const server = newServer(freshLive());
      simulate(server, planFor(server, chain("v1")), { before: (_a, i) => i < stopAt });
      for (let run = 0; run < 3; run++) simulate(server, planFor(server, chain("v1")));
      expect(planFor(server, chain("v1")).actions, `stopped before action ${stopAt}`).toEqual([]);
      expect(server.live.registeredModels).toHaveLength(1);
      expect(server.live.packages).toHaveLength(1);
      expect(server.live.deployments).toHaveLength(1);
      expect(served(server, "fraud-prod")).toBe(latest(server));
    }
  });
});
