import { describe, expect, it } from "vitest";
import { parseDescription, stripTrailer } from "../../../src/reconcile/trailer.js";
import {
  dataset,
  desired,
  file,
  freshLive,
  model,
  NS,
  registeredModel,
  testConfig,
} from "../../reconcile/builders.js";
import { newServer, simulate } from "../../reconcile/simulate.js";
import { applied, only, planFor, types } from "../plan-helpers.js";

const tested = (name: string) => model(name, { test: testConfig() });

describe("RegisteredModel: registration behind the gate", () => {
  it("an untested model's first version is registered once it exists, creating the registered model by name", () => {
    const state = desired({
      models: [model("fraud")],
      registeredModels: [registeredModel("fraud-rm", "fraud")],
    });
    const plan = planFor(newServer(freshLive()), state);
    expect(types(plan)).toEqual(["createModel fraud", "createVersion fraud", "registerVersion fraud-rm"]);
    const register = only(plan, "registerVersion");
    expect(register.registeredModel).toEqual({ name: "fraud-rm" });
    expect(register.gate).toBe("untested");
    expect(register.version).toEqual({ fromAction: "createVersion:acme/models/fraud" });
    expect(register.dependsOn).toEqual(["createVersion:acme/models/fraud", "createModel:acme/models/fraud"]);
    expect(parseDescription(register.patch!.description!).trailer?.key).toBe(`${NS}/fraud-rm`);

    const server = newServer(freshLive());
    simulate(server, plan);
    expect(server.live.registeredModels).toHaveLength(1);
    expect(server.live.packages.map((p) => p.versionId)).toEqual([server.live.models[0]!.latestVersion!.id]);
    const again = planFor(server, state);
    expect(again.actions).toEqual([]);
    expect(again.unchanged).toContain(`${NS}/fraud-rm`);
  });

  it("a tested model's new version waits for its runTest: registerVersion depends on it", () => {
    const state = desired({
      models: [tested("fraud")],
      registeredModels: [registeredModel("fraud-rm", "fraud")],
    });
    const plan = planFor(newServer(freshLive()), state);
    const register = only(plan, "registerVersion");
    expect(register.gate).toBe("pending");
    expect(register.dependsOn).toContain("runTest:acme/models/fraud");
  });

  it("a failed test registers nothing, and the gate holds on the next plan", () => {
    const state = desired({
      models: [tested("fraud")],
      registeredModels: [registeredModel("fraud-rm", "fraud")],
    });
    const server = applied(state, { testOutcome: () => "failed" });
    expect(server.live.registeredModels).toEqual([]);
    expect(server.live.packages).toEqual([]);
    const again = planFor(server, state);
    expect(again.actions).toEqual([]);
    expect(again.gate.map((g) => g.key)).toEqual([`${NS}/fraud`]);
    expect(again.refusals.find((r) => r.key === `${NS}/fraud-rm`)?.reason).toMatch(
      /^not registered: .*failed/,
    );
  });

  it("a failed test of a new version keeps the registered versions as they are", () => {
    const state = desired({
      models: [tested("fraud")],
      registeredModels: [registeredModel("fraud-rm", "fraud")],
    });
    const server = applied(state);
    const edited = desired({
      models: [model("fraud", { test: testConfig(), files: [file("custom.py", "v2")] })],
      registeredModels: [registeredModel("fraud-rm", "fraud")],
    });
    simulate(server, planFor(server, edited), { testOutcome: () => "failed" });
    expect(server.live.packages).toHaveLength(1);
    const again = planFor(server, edited);
    expect(types(again)).toEqual([]);
    expect(again.gate).toHaveLength(1);
  });

  it("a changed model gets exactly one registered version, numbered next, on the existing registered model", () => {
    const rm = registeredModel("fraud-rm", "fraud");
    const server = applied(desired({ models: [tested("fraud")], registeredModels: [rm] }));
    const edited = desired({
      models: [model("fraud", { test: testConfig(), files: [file("custom.py", "v2")] })],
      registeredModels: [rm],
    });
    const plan = planFor(server, edited);
    expect(types(plan)).toEqual(["createVersion fraud", "runTest fraud", "registerVersion fraud-rm"]);
    const register = only(plan, "registerVersion");
    expect(register.registeredModel).toEqual({ id: server.live.registeredModels[0]!.id });
    expect(register.registeredVersion).toBe(2);
    simulate(server, plan);
    expect(server.live.packages.map((p) => p.registeredModelVersion)).toEqual([1, 2]);
    expect(planFor(server, edited).actions).toEqual([]);
  });

  it("--skip-tests holds the registration of an untested new version, and says so", () => {
    const rm = registeredModel("fraud-rm", "fraud");
    const state = desired({ models: [tested("fraud")], registeredModels: [rm] });
    const plan = planFor(newServer(freshLive()), state, { skipTests: true });
    expect(types(plan)).toEqual(["createModel fraud", "createVersion fraud"]);
    expect(plan.refusals.find((r) => r.key === rm.key)?.reason).toMatch(/--skip-tests/);
  });

  it("feature impact runs after the test and before registration, only with training data", () => {
    const m = model("fraud", {
      test: testConfig(),
      featureImpact: true,
      trainingData: { dataset: { ref: "train" } },
    });
    const state = desired({
      models: [m],
      datasets: [dataset("train")],
      registeredModels: [registeredModel("fraud-rm", "fraud")],
    });
    const plan = planFor(newServer(freshLive()), state);
    expect(only(plan, "featureImpact").dependsOn).toEqual(["runTest:acme/models/fraud"]);
    expect(only(plan, "registerVersion").dependsOn).toContain("featureImpact:acme/models/fraud");
    const server = newServer(freshLive());
    simulate(server, plan);
    expect(server.featureImpacts.size).toBe(1);

    // Without training data there is nothing to compute it on.
    const without = desired({
      models: [model("fraud", { test: testConfig(), featureImpact: false })],
      registeredModels: [registeredModel("fraud-rm", "fraud")],
    });
    expect(types(planFor(newServer(freshLive()), without))).not.toContain("featureImpact fraud");
  });

  it("a version registered after a crash before feature impact asks registration to make sure of it", () => {
    const m = model("fraud", { featureImpact: true, trainingData: { dataset: { ref: "train" } } });
    const state = desired({
      models: [m],
      datasets: [dataset("train")],
      registeredModels: [registeredModel("fraud-rm", "fraud")],
    });
    const server = newServer(freshLive());
    // Killed right before feature impact: the version exists, nothing is registered.
    simulate(server, planFor(server, state), { before: (a) => a.type !== "featureImpact" });
    const plan = planFor(server, state);
    expect(types(plan)).toEqual(["registerVersion fraud-rm"]);
    expect(only(plan, "registerVersion").ensureFeatureImpact).toBe(true);
  });
});

describe("RegisteredModel: identity, drift and refusals", () => {
  const rm = registeredModel("fraud-rm", "fraud", { fields: { name: "Fraud", description: "Card fraud" } });
  const state = desired({ models: [model("fraud")], registeredModels: [rm] });

  it("a rename in the UI is drift (found by its trailer), and the plan renames it back", () => {
    const server = applied(state);
    server.live.registeredModels[0]!.name = "Fraud (renamed)";
    const plan = planFor(server, state);
    expect(plan.drift.map((d) => [d.key, d.subject])).toEqual([[rm.key, "registered model"]]);
    expect(only(plan, "updateRegisteredModel").patch.name).toBe("Fraud");
    simulate(server, plan);
    expect(planFor(server, state).actions).toEqual([]);
  });

  it("a rename in the manifest is a change, not drift", () => {
    const server = applied(state);
    const renamed = desired({
      models: [model("fraud")],
      registeredModels: [{ ...rm, fields: { ...rm.fields, name: "Fraud v2" } }],
    });
    const plan = planFor(server, renamed);
    expect(plan.drift).toEqual([]);
    expect(only(plan, "updateRegisteredModel").reasons).toEqual(["name changed in the manifest"]);
  });

  it("adopts one found by name whose trailer a crash never wrote, when all its versions are the model's", () => {
    const server = applied(state);
    const live = server.live.registeredModels[0]!;
    live.description = "";
    live.trailer = null;
    const plan = planFor(server, state);
    expect(types(plan)).toEqual(["updateRegisteredModel fraud-rm"]);
    expect(only(plan, "updateRegisteredModel").reasons[0]).toMatch(/adopted/);
    simulate(server, plan);
    expect(stripTrailer(server.live.registeredModels[0]!.description)).toBe("Card fraud");
    expect(planFor(server, state).actions).toEqual([]);
  });

  it("refuses a name held by a registered model that is not drgitops'", () => {
    const server = newServer(freshLive());
    server.live.registeredModels.push({
      id: "rm-foreign",
      name: "Fraud",
      description: "someone else's",
      trailer: null,
      isGlobal: false,
      targetType: "Regression",
      lastVersionNum: 1,
      modifiedAt: null,
    });
    server.live.packages.push({
      id: "pkg-foreign",
      versionId: "v-foreign",
      customModelId: "model-foreign",
      registeredModelId: "rm-foreign",
      registeredModelVersion: 1,
      targetType: "Regression",
    });
    const plan = planFor(server, state);
    expect(plan.actions.some((a) => a.type === "registerVersion")).toBe(false);
    const refusal = plan.refusals.find((r) => r.key === rm.key);
    expect(refusal?.blocking).toBe(true);
    expect(refusal?.reason).toMatch(/taken by rm-foreign/);
  });

  it("refuses a registered model whose versions have another target type than its model", () => {
    const server = applied(state);
    server.live.registeredModels[0]!.targetType = "Binary";
    const plan = planFor(server, state);
    expect(plan.refusals.find((r) => r.key === rm.key)?.blocking).toBe(true);
  });

  it("is never pruned: a registered model without a manifest is left alone", () => {
    const server = applied(state);
    const plan = planFor(server, desired({ models: [model("fraud")] }), { prune: true });
    expect(plan.actions).toEqual([]);
  });
});
