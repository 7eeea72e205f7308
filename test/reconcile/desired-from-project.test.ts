import { describe, expect, it } from "vitest";
import { desiredStateFromProject } from "../../src/reconcile/desired-from-project.js";
import { sha256Digest } from "../../src/reconcile/fingerprint.js";
import type { CustomModelSpec } from "../../src/spec/schema/custom-model.js";
import type { LoadedDataset, LoadedEnvironment, LoadedModel, Project } from "../../src/spec/project.js";
import { sha } from "./builders.js";

const NS = "acme/models";

/** Stands in for the YAML positions the loader records: a few known paths, else the document. */
const POSITIONS: Record<string, number> = {
  "spec.runtimeParameters.KEY": 12,
  "spec.runtimeParameters.HOOK": 13,
};
const locate = (path: readonly (string | number)[]) => ({ line: POSITIONS[path.join(".")] ?? 3, column: 5 });

function loadedModel(
  name: string,
  spec: Partial<CustomModelSpec> = {},
  extra: Partial<LoadedModel> = {},
): LoadedModel {
  return {
    file: `/repo/manifests/${name}.yaml`,
    line: 3,
    documentIndex: 0,
    locate,
    key: `${NS}/${name}`,
    name,
    manifest: {
      apiVersion: "drgitops/v1",
      kind: "CustomModel",
      metadata: { name, labels: { team: "risk" } },
      spec: {
        targetType: "Regression",
        targetName: "y",
        environment: { ref: "py311" },
        source: { path: `./${name}` },
        ...spec,
      },
    },
    sourceDir: `/repo/${name}`,
    files: [{ path: "custom.py", absPath: `/repo/${name}/custom.py`, size: 1, sha256: sha("x") }],
    hasRequirements: false,
    ...extra,
  };
}

const train: LoadedDataset = {
  file: "/repo/manifests/data.yaml",
  line: 1,
  documentIndex: 0,
  locate,
  key: `${NS}/train`,
  name: "train",
  manifest: {
    apiVersion: "drgitops/v1",
    kind: "Dataset",
    metadata: { name: "train" },
    spec: { file: "./train.csv" },
  },
  filePath: "/repo/data/train.csv",
  sha256: sha("a,b\n"),
  size: 4,
};

const env: LoadedEnvironment = {
  file: "/repo/manifests/env.yaml",
  line: 1,
  documentIndex: 0,
  locate,
  key: `${NS}/py311`,
  name: "py311",
  manifest: {
    apiVersion: "drgitops/v1",
    kind: "ExecutionEnvironment",
    metadata: { name: "py311" },
    spec: { dockerContext: "./envs/py311" },
  },
  dockerContextDir: "/repo/envs/py311",
  contextDigest: sha256Digest("context"),
};

function project(models: LoadedModel[]): Project {
  return { root: "/repo", namespace: NS, config: {}, models, environments: [env], datasets: [train] };
}

const inputs = {
  credentials: new Map([["openai-prod", "cred-1"]]),
  env: { WEBHOOK_URL: "https://hooks/secret-token", CUTOFF: "0.7" },
};

describe("desiredStateFromProject", () => {
  it("manages only declared model fields, with the display name defaulting to metadata.name", () => {
    const { state, issues } = desiredStateFromProject(
      project([loadedModel("fraud", { description: "Scores" })]),
      inputs,
    );
    expect(issues).toEqual([]);
    expect(state.models[0]!.fields).toEqual({ name: "fraud", description: "Scores", targetName: "y" });
    expect(state.models[0]!.labels).toEqual({ team: "risk" });
    expect(state.environments[0]!.fields).toEqual({
      name: "py311",
      description: "",
      programmingLanguage: "other",
      useCases: ["customModel"],
    });
    expect(state.datasets[0]!.content).toMatchObject({
      type: "file",
      catalogName: `train-${sha("a,b\n").slice(0, 12)}`,
    });
  });

  it("resolves credentials by name and keeps only the hash of a sensitive value", () => {
    const m = loadedModel(
      "fraud",
      {
        runtimeParameters: {
          MODE: "fast",
          OPENAI_KEY: { credential: "openai-prod" },
          WEBHOOK_URL: { env: "WEBHOOK_URL", sensitive: true },
          SCORE_CUTOFF: { env: "CUTOFF" },
        },
      },
      {
        metadata: {
          runtimeParameterDefinitions: [
            { fieldName: "SCORE_CUTOFF", type: "numeric" },
            { fieldName: "OPENAI_KEY", type: "credential" },
          ],
        },
      },
    );
    const { state, issues } = desiredStateFromProject(project([m]), inputs);
    expect(issues).toEqual([]);
    expect(state.models[0]!.runtimeParameters).toEqual([
      { source: "literal", name: "MODE", type: "string", value: "fast" },
      {
        source: "credential",
        name: "OPENAI_KEY",
        type: "credential",
        credentialName: "openai-prod",
        credentialId: "cred-1",
      },
      {
        source: "sensitive",
        name: "WEBHOOK_URL",
        type: "string",
        envVar: "WEBHOOK_URL",
        valueHash: sha256Digest("https://hooks/secret-token"),
      },
      { source: "literal", name: "SCORE_CUTOFF", type: "numeric", value: 0.7, envVar: "CUTOFF" },
    ]);
    expect(JSON.stringify(state)).not.toContain("secret-token");
  });

  it("reports a missing credential and a missing variable at their values, and leaves the model out", () => {
    const m = loadedModel("fraud", {
      runtimeParameters: { KEY: { credential: "nope" }, HOOK: { env: "UNSET_VAR", sensitive: true } },
    });
    const { state, issues } = desiredStateFromProject(project([m]), inputs);
    expect(state.models).toEqual([]);
    expect(issues.map((i) => [i.code, i.file, i.line, i.path.join("."), i.severity])).toEqual([
      ["missing-credential", "/repo/manifests/fraud.yaml", 12, "spec.runtimeParameters.KEY", "error"],
      ["missing-env", "/repo/manifests/fraud.yaml", 13, "spec.runtimeParameters.HOOK", "error"],
    ]);
    expect(issues[0]!.message).toContain('credential "nope" does not exist in DataRobot');
    expect(issues[1]!.message).toContain("UNSET_VAR is not set");
  });

  it("keeps the uploaded model-metadata.yaml's definitions, so only defined overrides are ever reset", () => {
    const definitions = [
      { fieldName: "CUT", type: "numeric" as const, defaultValue: 0.5 },
      { fieldName: "KEY", type: "credential" as const },
    ];
    const m = loadedModel("fraud", {}, { metadata: { runtimeParameterDefinitions: definitions } });
    const { state } = desiredStateFromProject(project([m, loadedModel("bare")]), inputs);
    expect(state.models.map((d) => d.runtimeParameterDefinitions)).toEqual([
      [
        { name: "CUT", type: "numeric" },
        { name: "KEY", type: "credential" },
      ],
      [],
    ]);
  });

  it("rejects a non-numeric value for a numeric parameter read from the environment", () => {
    const m = loadedModel(
      "fraud",
      { runtimeParameters: { CUT: { env: "BAD" } } },
      { metadata: { runtimeParameterDefinitions: [{ fieldName: "CUT", type: "numeric" }] } },
    );
    const { issues } = desiredStateFromProject(project([m]), { ...inputs, env: { BAD: "seven" } });
    expect(issues.map((i) => i.code)).toEqual(["invalid-env-value"]);
  });

  it("maps test checks to the API's configuration and a digest that moves only when the test changes", () => {
    const spec = (mode: "fail" | "warn"): Partial<CustomModelSpec> => ({
      test: {
        dataset: { ref: "train" },
        checks: { sideEffects: mode, performance: { mode: "warn", maxResponseTime: 5 } },
      },
    });
    const a = desiredStateFromProject(project([loadedModel("fraud", spec("fail"))]), inputs).state.models[0]!
      .test!;
    const again = desiredStateFromProject(project([loadedModel("fraud", spec("fail"))]), inputs).state
      .models[0]!.test!;
    const b = desiredStateFromProject(project([loadedModel("fraud", spec("warn"))]), inputs).state.models[0]!
      .test!;
    expect(a.configuration).toEqual({ sideEffects: "fail", performanceCheck: "warn" });
    expect(a.parameters).toEqual({ performanceCheck: { maxResponseTime: 5 } });
    expect(a.dataset).toEqual({ ref: "train" });
    expect(a.configDigest).toBe(again.configDigest);
    expect(a.configDigest).not.toBe(b.configDigest);
  });

  it("asks for hashing when digests are missing instead of inventing them", () => {
    const unhashed = loadedModel("fraud");
    delete unhashed.files;
    const { issues } = desiredStateFromProject(project([unhashed]), inputs);
    expect(issues.map((i) => i.code)).toEqual(["not-hashed"]);
  });
});
