import { describe, expect, it } from "vitest";
import type { DesiredModel, DesiredRuntimeParameter } from "../../../src/kinds/custom-model/desired.js";
import type { ActionOf } from "../../../src/kinds/index.js";
import type { Plan } from "../../../src/reconcile/plan-file.js";
import type { DesiredState } from "../../../src/reconcile/state.js";
import { desired, file, freshLive, model, planOf, secretDigest } from "../../reconcile/builders.js";
import { newServer, observe, simulate, type Server, type SimulateOptions } from "../../reconcile/simulate.js";

/**
 * A live override the manifest no longer sets goes back to model-metadata.yaml's default: the
 * createVersion sends `value: null` for it (API.md §2.7), the plan shows it, and apply then plan is empty.
 */

const AT = "2026-01-01T00:00:00.000Z";
const SECRET = "tok-very-secret-value";
const CREDENTIAL_ID = "cred-42";

const cutoff: DesiredRuntimeParameter = {
  source: "literal",
  name: "SCORE_CUTOFF",
  type: "numeric",
  value: 0.7,
};
const mode: DesiredRuntimeParameter = { source: "literal", name: "MODE", type: "string", value: "fast" };
const token: DesiredRuntimeParameter = {
  source: "sensitive",
  name: "TOKEN",
  type: "string",
  envVar: "FRAUD_TOKEN",
  valueHash: secretDigest(SECRET),
};
const apiKey: DesiredRuntimeParameter = {
  source: "credential",
  name: "API_KEY",
  type: "credential",
  credentialName: "openai",
  credentialId: CREDENTIAL_ID,
};

const DEFINITIONS: DesiredModel["runtimeParameterDefinitions"] = [
  { name: "SCORE_CUTOFF", type: "numeric" },
  { name: "MODE", type: "string" },
  { name: "TOKEN", type: "string" },
  { name: "API_KEY", type: "credential" },
];

function fraud(
  runtimeParameters: DesiredRuntimeParameter[],
  overrides: Partial<DesiredModel> = {},
): DesiredState {
  const files = [file("custom.py", "x"), file("model-metadata.yaml", "definitions")];
  return desired({
    models: [
      model("fraud", { files, runtimeParameters, runtimeParameterDefinitions: DEFINITIONS, ...overrides }),
    ],
  });
}

function planFor(server: Server, state: DesiredState): Plan {
  return planOf(state, observe(server, state), { createdAt: AT });
}

function applied(state: DesiredState, options: SimulateOptions = {}): Server {
  const server = newServer(freshLive());
  server.live.credentials = { openai: CREDENTIAL_ID };
  simulate(server, planFor(server, state), options);
  return server;
}

function createVersion(plan: Plan): ActionOf<"createVersion"> {
  const found = plan.actions.filter((a): a is ActionOf<"createVersion"> => a.type === "createVersion");
  expect(found).toHaveLength(1);
  return found[0]!;
}

function overrides(server: Server): Record<string, unknown> {
  const params = server.live.models[0]!.latestVersion!.runtimeParameters;
  return Object.fromEntries(params.map((p) => [p.fieldName, p.overrideValue]));
}

describe("removing a runtime parameter value from the manifest", () => {
  it("resets it to the default in one new version, shows it, and apply then plan is empty", () => {
    const server = applied(fraud([cutoff, mode]));
    const plan = planFor(server, fraud([mode]));
    const version = createVersion(plan);
    expect(version.version.runtimeParameterValues).toEqual([
      { source: "value", fieldName: "MODE", type: "string", value: "fast" },
      { source: "default", fieldName: "SCORE_CUTOFF", type: "numeric" },
    ]);
    expect(version.changes).toEqual([
      { kind: "value", path: "runtimeParameters.SCORE_CUTOFF", before: 0.7, after: "(default)" },
    ]);
    expect(version.reasons).toEqual(["runtimeParameters changed"]);
    expect(plan.drift).toEqual([]);

    simulate(server, plan);
    expect(overrides(server)).toEqual({ MODE: "fast", SCORE_CUTOFF: null });
    expect(planFor(server, fraud([mode])).actions).toEqual([]);
  });

  it("resets every override when the whole runtimeParameters block is removed", () => {
    const server = applied(fraud([cutoff, mode, apiKey]));
    const plan = planFor(server, fraud([]));
    expect(createVersion(plan).version.runtimeParameterValues).toEqual([
      { source: "default", fieldName: "API_KEY", type: "credential" },
      { source: "default", fieldName: "MODE", type: "string" },
      { source: "default", fieldName: "SCORE_CUTOFF", type: "numeric" },
    ]);
    simulate(server, plan);
    expect(overrides(server)).toEqual({ API_KEY: null, MODE: null, SCORE_CUTOFF: null });
    expect(planFor(server, fraud([])).actions).toEqual([]);
  });

  it("never prints a removed text value, which may have been sensitive; a credential id is shown", () => {
    const server = applied(fraud([token, apiKey]), { env: { FRAUD_TOKEN: SECRET } });
    const plan = planFor(server, fraud([]));
    expect(createVersion(plan).changes).toEqual([
      { kind: "value", path: "runtimeParameters.API_KEY", before: CREDENTIAL_ID, after: "(default)" },
      {
        kind: "value",
        path: "runtimeParameters.TOKEN",
        before: "(current value hidden)",
        after: "(default)",
      },
    ]);
    expect(JSON.stringify(plan)).not.toContain(SECRET);
  });

  it("does not reset a parameter the new model-metadata.yaml no longer defines, or defines with another type", () => {
    const server = applied(fraud([cutoff, mode]));
    const state = fraud([], {
      files: [file("custom.py", "x"), file("model-metadata.yaml", "MODE is now numeric")],
      runtimeParameterDefinitions: [{ name: "MODE", type: "numeric" }],
    });
    // The server drops such overrides itself and refuses a null for an undefined name (API.md §2.7).
    expect(createVersion(planFor(server, state)).version.runtimeParameterValues).toEqual([]);
  });

  it("with source under ignoreChanges, the live version's definitions decide", () => {
    const server = applied(fraud([cutoff]));
    const state = fraud([], {
      runtimeParameterDefinitions: [],
      lifecycle: { protected: false, ignoreChanges: ["source"] },
    });
    const plan = planFor(server, state);
    expect(createVersion(plan).version.runtimeParameterValues).toEqual([
      { source: "default", fieldName: "SCORE_CUTOFF", type: "numeric" },
    ]);
    simulate(server, plan);
    expect(planFor(server, state).actions).toEqual([]);
  });

  it("leaves overrides alone under ignoreChanges: [runtimeParameters]", () => {
    const server = applied(fraud([cutoff]));
    const state = fraud([], { lifecycle: { protected: false, ignoreChanges: ["runtimeParameters"] } });
    const plan = planFor(server, state);
    // Only the trailer's fingerprint moves (the field left it); no version, so no reset.
    expect(plan.actions.map((a) => a.type)).toEqual(["annotateVersion"]);
    simulate(server, plan);
    expect(overrides(server)).toEqual({ SCORE_CUTOFF: 0.7 });
    expect(planFor(server, state).actions).toEqual([]);
  });
});

describe("an override the manifest never set", () => {
  it("set in the UI on a model whose manifest has no runtimeParameters is drift, restored to the default", () => {
    const state = fraud([]);
    const server = applied(state);
    const live = server.live.models[0]!;
    const latest = live.latestVersion!;
    live.latestVersion = {
      ...latest,
      id: "ver-ui",
      label: "2.0",
      description: "",
      trailer: null,
      runtimeParameters: [
        { fieldName: "MODE", type: "string", overrideValue: "debug", currentValue: "debug" },
      ],
    };
    server.live.versionFiles["ver-ui"] = server.live.versionFiles[latest.id]!;
    const plan = planFor(server, state);
    const change = {
      kind: "value",
      path: "runtimeParameters.MODE",
      before: "(current value hidden)",
      after: "(default)",
    };
    expect(plan.drift).toEqual([
      {
        key: live.key,
        subject: "version",
        summary: "latest version 2.0 was created outside drgitops",
        changes: [change],
      },
    ]);
    expect(createVersion(plan).version.runtimeParameterValues).toEqual([
      { source: "default", fieldName: "MODE", type: "string" },
    ]);
    expect(JSON.stringify(plan)).not.toContain("debug");
    simulate(server, plan);
    expect(planFor(server, state).actions).toEqual([]);
  });

  it("left on a version whose trailer is in sync (an older drgitops kept it) is still reset", () => {
    const state = fraud([mode]);
    const server = applied(state);
    server.live.models[0]!.latestVersion!.runtimeParameters.push({
      fieldName: "SCORE_CUTOFF",
      type: "numeric",
      overrideValue: 0.9,
      currentValue: 0.9,
    });
    const plan = planFor(server, state);
    expect(createVersion(plan).changes).toEqual([
      { kind: "value", path: "runtimeParameters.SCORE_CUTOFF", before: 0.9, after: "(default)" },
    ]);
    simulate(server, plan);
    expect(planFor(server, state).actions).toEqual([]);
  });
});
