import { describe, expect, it } from "vitest";
import type { CustomModelManifest, CustomModelSpec } from "../../../src/kinds/custom-model/schema.js";
import type { DesiredModel } from "../../../src/kinds/custom-model/desired.js";
import type { DesiredDataset } from "../../../src/kinds/dataset/desired.js";
import type { DesiredEnvironment } from "../../../src/kinds/execution-environment/desired.js";
import { desiredStateFromProject } from "../../../src/reconcile/desired.js";
import type { DesiredState } from "../../../src/reconcile/state.js";
import { keyedDigest, sha256Digest } from "../../../src/spec/digest.js";
import type { LocalPathSpec, ResolvedPath } from "../../../src/spec/local-paths.js";
import type { LoadedResource, Project } from "../../../src/spec/project.js";
import type { ModelMetadata } from "../../../src/spec/schema/model-metadata.js";
import { liveState, emptyWorld, sha } from "../../reconcile/builders.js";

const NS = "acme/models";

/** Stands in for the YAML positions the loader records: a few known paths, else the document. */
const POSITIONS: Record<string, number> = {
  "spec.runtimeParameters.KEY": 12,
  "spec.runtimeParameters.HOOK": 13,
  "spec.runtimeParameters.CUT": 14,
};
const locate = (path: readonly (string | number)[]) => ({ line: POSITIONS[path.join(".")] ?? 3, column: 5 });

/** A local path as the loader resolves it (`spec` only carries what desired state reads). */
function resolved(rel: string, extra: Partial<ResolvedPath> = {}): ResolvedPath {
  const spec = {
    role: "x",
    field: [],
    written: rel,
    expect: "dir",
    what: "x",
    missingCode: "x",
    content: "files",
  };
  return {
    spec: spec as LocalPathSpec,
    abs: `/repo/${rel}`,
    rel,
    root: "/repo",
    rootSource: "git",
    ...extra,
  };
}

function loadedModel(
  name: string,
  spec: Partial<CustomModelSpec> = {},
  extra: { metadata?: ModelMetadata; unhashed?: boolean } = {},
): LoadedResource<CustomModelManifest> {
  const source = resolved(name, {
    ...(extra.unhashed
      ? {}
      : { files: [{ path: "custom.py", absPath: `/repo/${name}/custom.py`, size: 1, sha256: sha("x") }] }),
    ...(extra.metadata
      ? { metadata: { file: `/repo/${name}/model-metadata.yaml`, parsed: extra.metadata } }
      : {}),
  });
  return {
    kind: "CustomModel",
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
    paths: { source },
  };
}

const train: LoadedResource = {
  kind: "Dataset",
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
  } as LoadedResource["manifest"],
  paths: {
    file: resolved("data/train.csv", {
      files: [{ path: "./train.csv", absPath: "/repo/data/train.csv", size: 4, sha256: sha("a,b\n") }],
    }),
  },
};

const env: LoadedResource = {
  kind: "ExecutionEnvironment",
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
  } as LoadedResource["manifest"],
  paths: {
    dockerContext: resolved("envs/py311", {
      files: [{ path: "Dockerfile", absPath: "/repo/envs/py311/Dockerfile", size: 1, sha256: sha("FROM x") }],
    }),
  },
};

function project(models: LoadedResource<CustomModelManifest>[]): Project {
  return { root: "/repo", namespace: NS, config: {}, resources: [env, train, ...models] };
}

const models = (state: DesiredState): DesiredModel[] => state.resources["CustomModel"] as DesiredModel[];

const inputs = {
  live: liveState({ ...emptyWorld(NS), credentials: { "openai-prod": "cred-1" } }),
  env: { WEBHOOK_URL: "https://hooks/secret-token", CUTOFF: "0.7" },
  secretKey: "k3y",
};

describe("desiredStateFromProject", () => {
  it("manages only declared model fields, with the display name defaulting to metadata.name", () => {
    const { state, issues } = desiredStateFromProject(
      project([loadedModel("fraud", { description: "Scores" })]),
      inputs,
    );
    expect(issues).toEqual([]);
    expect(models(state)[0]!.fields).toEqual({ name: "fraud", description: "Scores", targetName: "y" });
    expect(models(state)[0]!.labels).toEqual({ team: "risk" });
    expect(models(state)[0]!.source).toMatchObject({ file: "manifests/fraud.yaml", line: 3 });
    expect((state.resources["ExecutionEnvironment"] as DesiredEnvironment[])[0]!.fields).toEqual({
      name: "py311",
      description: "",
      programmingLanguage: "other",
      useCases: ["customModel"],
    });
    expect((state.resources["Dataset"] as DesiredDataset[])[0]!.content).toEqual({
      type: "file",
      localPath: "data/train.csv",
      sha256: sha("a,b\n"),
      size: 4,
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
            { fieldName: "WEBHOOK_URL", type: "string" },
            { fieldName: "MODE", type: "string" },
          ],
        },
      },
    );
    const { state, issues } = desiredStateFromProject(project([m]), inputs);
    expect(issues).toEqual([]);
    expect(models(state)[0]!.runtimeParameters).toEqual([
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
        valueHash: keyedDigest("k3y", "https://hooks/secret-token"),
      },
      { source: "literal", name: "SCORE_CUTOFF", type: "numeric", value: 0.7, envVar: "CUTOFF" },
    ]);
    expect(JSON.stringify(state)).not.toContain("secret-token");
    // Not a plain hash either: without the key, guesses cannot be tested against it.
    expect(JSON.stringify(state)).not.toContain(sha256Digest("https://hooks/secret-token").slice(7));
  });

  it("reports a missing credential and a missing variable at their values, and leaves the model out", () => {
    const m = loadedModel("fraud", {
      runtimeParameters: { KEY: { credential: "nope" }, HOOK: { env: "UNSET_VAR", sensitive: true } },
    });
    const { state, issues } = desiredStateFromProject(project([m]), inputs);
    expect(models(state)).toEqual([]);
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
    expect(models(state).map((d) => d.runtimeParameterDefinitions)).toEqual([
      [
        { name: "CUT", type: "numeric" },
        { name: "KEY", type: "credential" },
      ],
      [],
    ]);
  });

  it("checks a value read from the environment exactly as a literal: type, range, allowEmpty", () => {
    const definitions = [
      { fieldName: "CUT", type: "numeric" as const, minValue: 0, maxValue: 10 },
      { fieldName: "KEY", type: "string" as const, allowEmpty: false },
    ];
    const check = (env: Record<string, string>, sensitive = false) => {
      const m = loadedModel(
        "fraud",
        { runtimeParameters: { CUT: { env: "CUT_VAR", sensitive }, KEY: { env: "KEY_VAR" } } },
        { metadata: { runtimeParameterDefinitions: definitions } },
      );
      return desiredStateFromProject(project([m]), { ...inputs, env: { KEY_VAR: "k", ...env } }).issues;
    };
    expect(check({ CUT_VAR: "seven" }).map((i) => i.code)).toEqual(["runtime-param-type"]);
    const range = check({ CUT_VAR: "4242" });
    expect(range.map((i) => [i.code, i.line, i.path.join(".")])).toEqual([
      ["runtime-param-range", 14, "spec.runtimeParameters.CUT"],
    ]);
    expect(range[0]!.message).toContain("4242 is above maxValue 10");
    expect(check({ CUT_VAR: "3", KEY_VAR: "" }).map((i) => i.code)).toEqual(["runtime-param-required"]);
    expect(check({ CUT_VAR: "3" })).toEqual([]);
    // A sensitive value that does not fit is refused too, and never quoted in the message.
    const secret = check({ CUT_VAR: "4242" }, true);
    expect(secret.map((i) => i.code)).toEqual(["runtime-param-range"]);
    expect(secret[0]!.message).toContain("CUT_VAR (sensitive)");
    expect(secret[0]!.message).not.toContain("4242");
  });

  it("maps test checks to the API's configuration and a digest that moves only when the test changes", () => {
    const spec = (mode: "fail" | "warn"): Partial<CustomModelSpec> => ({
      test: {
        dataset: { ref: "train" },
        checks: { sideEffects: mode, performance: { mode: "warn", maxResponseTime: 5 } },
      },
    });
    const testOf = (s: Partial<CustomModelSpec>) =>
      models(desiredStateFromProject(project([loadedModel("fraud", s)]), inputs).state)[0]!.test!;
    const a = testOf(spec("fail"));
    const again = testOf(spec("fail"));
    const b = testOf(spec("warn"));
    expect(a.configuration).toEqual({ sideEffects: "fail", performanceCheck: "warn" });
    expect(a.parameters).toEqual({ performanceCheck: { maxResponseTime: 5 } });
    expect(a.dataset).toEqual({ ref: "train" });
    expect(a.configDigest).toBe(again.configDigest);
    expect(a.configDigest).not.toBe(b.configDigest);
  });

  it("asks for hashing when digests are missing instead of inventing them", () => {
    const unhashed = loadedModel("fraud", {}, { unhashed: true });
    const { issues } = desiredStateFromProject(project([unhashed]), inputs);
    expect(issues.map((i) => i.code)).toEqual(["not-hashed"]);
  });
});
