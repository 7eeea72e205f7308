import { createHash } from "node:crypto";
import type {
  DesiredDataset,
  DesiredEnvironment,
  DesiredFile,
  DesiredModel,
  DesiredState,
  DesiredTest,
} from "../../src/reconcile/desired.js";
import { sha256Digest } from "../../src/reconcile/fingerprint.js";
import { emptyLiveState, type LiveState } from "../../src/reconcile/live.js";

/** In-memory builders of planner inputs (changesets' style): defaults for everything, override what matters. */

export const NS = "acme/models";

export function sha(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** A source file whose content is `text`; absPath is fake (the planner never reads files). */
export function file(path: string, text: string): DesiredFile {
  return { path, sha256: sha(text), size: Buffer.byteLength(text), absPath: `/repo/models/${path}` };
}

export function testConfig(overrides: Partial<DesiredTest> = {}): DesiredTest {
  const base = {
    dataset: null,
    configuration: { errorCheck: "fail" as const },
    parameters: {},
    predictionDataset: null,
  };
  const merged = { ...base, ...overrides };
  return { ...merged, configDigest: overrides.configDigest ?? sha256Digest(JSON.stringify(merged)) };
}

export function model(name: string, overrides: Partial<DesiredModel> = {}): DesiredModel {
  return {
    key: `${NS}/${name}`,
    name,
    source: { file: `/repo/manifests/${name}.yaml`, line: 1 },
    labels: {},
    targetType: "Regression",
    fields: { name, targetName: "y" },
    environment: { id: "env-public", versionId: "envv-public-1" },
    files: [file("custom.py", `# ${name}\n`)],
    resources: {},
    runtimeParameters: [],
    runtimeParameterDefinitions: [],
    trainingData: null,
    holdoutData: null,
    test: null,
    lifecycle: { protected: false, ignoreChanges: [] },
    hasRequirements: false,
    ...overrides,
  };
}

export function environment(name: string, contextText = "FROM python:3.11\n"): DesiredEnvironment {
  return {
    key: `${NS}/${name}`,
    name,
    source: { file: `/repo/manifests/${name}.yaml`, line: 1 },
    labels: {},
    fields: { name, description: "", programmingLanguage: "python", useCases: ["customModel"] },
    dockerContextDir: `/repo/envs/${name}`,
    contextDigest: sha256Digest(contextText),
  };
}

export function dataset(name: string, text = "a,b\n1,2\n"): DesiredDataset {
  const digest = sha(text);
  return {
    key: `${NS}/${name}`,
    name,
    source: { file: `/repo/manifests/${name}.yaml`, line: 1 },
    labels: {},
    content: {
      type: "file",
      absPath: `/repo/data/${name}.csv`,
      sha256: digest,
      size: text.length,
      catalogName: `${name}-${digest.slice(0, 12)}`,
    },
  };
}

export function desired(parts: Partial<Omit<DesiredState, "namespace">> = {}): DesiredState {
  return { namespace: NS, models: [], environments: [], datasets: [], ...parts };
}

/** A fresh DataRobot with the seeded public environment models refer to by id. */
export function freshLive(): LiveState {
  return {
    ...emptyLiveState(NS),
    environments: [
      {
        id: "env-public",
        key: null,
        name: "[DataRobot] Python 3.11 Drop-In",
        description: "",
        trailer: null,
        programmingLanguage: "python",
        useCases: ["customModel"],
        latestVersion: {
          id: "envv-public-1",
          label: "v1",
          description: "",
          trailer: null,
          buildStatus: "success",
        },
        latestSuccessfulVersion: {
          id: "envv-public-1",
          label: "v1",
          description: "",
          trailer: null,
          buildStatus: "success",
        },
      },
    ],
  };
}
