import { createHash } from "node:crypto";
import type { DesiredDataset } from "../../src/kinds/dataset/desired.js";
import type { LiveDataset } from "../../src/kinds/dataset/live.js";
import { DATASET } from "../../src/kinds/dataset/schema.js";
import type { DesiredEnvironment } from "../../src/kinds/execution-environment/desired.js";
import type { LiveEnvironment, LiveEnvironmentVersion } from "../../src/kinds/execution-environment/live.js";
import { EXECUTION_ENVIRONMENT } from "../../src/kinds/execution-environment/schema.js";
import type { DesiredFile, DesiredModel, DesiredTest } from "../../src/kinds/custom-model/desired.js";
import type { LiveFile, LiveModel, LiveModels, LiveTest } from "../../src/kinds/custom-model/live.js";
import { CUSTOM_MODEL } from "../../src/kinds/custom-model/schema.js";
import type { DesiredDeployment } from "../../src/kinds/deployment/desired.js";
import type { LiveDeployment, LiveDeployments, LiveServedModel } from "../../src/kinds/deployment/live.js";
import { DEPLOYMENT } from "../../src/kinds/deployment/schema.js";
import type { ManagedSettings } from "../../src/kinds/deployment/settings.js";
import type { DesiredRegisteredModel } from "../../src/kinds/registered-model/desired.js";
import type { LivePackage, LiveRegisteredModel } from "../../src/kinds/registered-model/live.js";
import { REGISTERED_MODEL } from "../../src/kinds/registered-model/schema.js";
import { buildPlan, type BuildPlanOptions } from "../../src/reconcile/plan.js";
import type { Plan } from "../../src/reconcile/plan-file.js";
import type { Need } from "../../src/reconcile/plan-context.js";
import type { DesiredState, LiveState } from "../../src/reconcile/state.js";
import { keyedDigest, sha256Digest } from "../../src/spec/digest.js";

/** In-memory builders of planner inputs (changesets' style): defaults for everything, override what matters. */

export const NS = "acme/models";

/** What DataRobot holds, flattened across kinds for tests; `liveState` turns it into the planner's input. */
export interface World {
  namespace: string;
  models: LiveModel[];
  environments: LiveEnvironment[];
  /** Environment id -> every version, newest first (as listing them would return). */
  environmentVersions: Record<string, LiveEnvironmentVersion[]>;
  datasets: LiveDataset[];
  credentials: Record<string, string>;
  latestTests: Record<string, LiveTest | null>;
  versionFiles: Record<string, LiveFile[]>;
  registeredModels: LiveRegisteredModel[];
  packages: LivePackage[];
  deployments: LiveDeployment[];
  predictionEnvironments: { id: string; name: string }[];
  /** Deployment id -> its settings, as observe hands them over (only those a plan asked for). */
  deploymentSettings: Record<string, ManagedSettings>;
  /** Custom models named by id in a Deployment, as fetched on request. */
  servedModels: Record<string, LiveServedModel | null>;
}

export function emptyWorld(namespace = NS): World {
  return {
    namespace,
    models: [],
    environments: [],
    environmentVersions: {},
    datasets: [],
    credentials: {},
    latestTests: {},
    versionFiles: {},
    registeredModels: [],
    packages: [],
    deployments: [],
    predictionEnvironments: [{ id: "pe-default", name: "Default" }],
    deploymentSettings: {},
    servedModels: {},
  };
}

export function liveState(world: World): LiveState {
  const models: LiveModels = {
    models: world.models,
    credentials: world.credentials,
    latestTests: world.latestTests,
    versionFiles: world.versionFiles,
  };
  return {
    namespace: world.namespace,
    resources: {
      [CUSTOM_MODEL]: models,
      [EXECUTION_ENVIRONMENT]: { environments: world.environments, versions: world.environmentVersions },
      [DATASET]: { datasets: world.datasets },
      [REGISTERED_MODEL]: { registeredModels: world.registeredModels, packages: world.packages },
      [DEPLOYMENT]: {
        deployments: world.deployments,
        predictionEnvironments: world.predictionEnvironments,
        settings: world.deploymentSettings,
        models: world.servedModels,
      } satisfies LiveDeployments,
    },
  };
}

/** The key sensitive values are digested with in these tests (a CLI run derives it from the token). */
export const SECRET_KEY = "test-plan-key";

/** A sensitive value as desired state and plans hold it: its keyed digest. */
export function secretDigest(value: string): ReturnType<typeof keyedDigest> {
  return keyedDigest(SECRET_KEY, value);
}

/** buildPlan on a world: the plan alone. */
export function planOf(state: DesiredState, world: World, options: BuildPlanOptions = {}): Plan {
  return buildPlan(state, liveState(world), { secretKey: SECRET_KEY, ...options }).plan;
}

/** What the first plan of a world says it lacks, by kind of need. */
export function needsOf(
  state: DesiredState,
  world: World,
  what: string,
  options: BuildPlanOptions = {},
): Need["params"][] {
  return buildPlan(state, liveState(world), { secretKey: SECRET_KEY, ...options })
    .needs.filter((n) => n.what === what)
    .map((n) => n.params);
}

export function sha(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** A source file whose content is `text`; absPath is fake (the planner never reads files). */
export function file(path: string, text: string): DesiredFile {
  return { path, sha256: sha(text), size: Buffer.byteLength(text), localPath: `models/${path}` };
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
    source: { file: `manifests/${name}.yaml`, line: 1 },
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
    source: { file: `manifests/${name}.yaml`, line: 1 },
    labels: {},
    fields: { name, description: "", programmingLanguage: "python", useCases: ["customModel"] },
    dockerContext: `envs/${name}`,
    contextDigest: sha256Digest(contextText),
  };
}

export function dataset(name: string, text = "a,b\n1,2\n"): DesiredDataset {
  const digest = sha(text);
  return {
    key: `${NS}/${name}`,
    name,
    source: { file: `manifests/${name}.yaml`, line: 1 },
    labels: {},
    content: {
      type: "file",
      localPath: `data/${name}.csv`,
      sha256: digest,
      size: text.length,
      catalogName: `${name}-${digest.slice(0, 12)}`,
    },
  };
}

export function desired(
  parts: {
    models?: DesiredModel[];
    environments?: DesiredEnvironment[];
    datasets?: DesiredDataset[];
    registeredModels?: DesiredRegisteredModel[];
    deployments?: DesiredDeployment[];
  } = {},
): DesiredState {
  return {
    namespace: NS,
    resources: {
      [CUSTOM_MODEL]: parts.models ?? [],
      [EXECUTION_ENVIRONMENT]: parts.environments ?? [],
      [DATASET]: parts.datasets ?? [],
      [REGISTERED_MODEL]: parts.registeredModels ?? [],
      [DEPLOYMENT]: parts.deployments ?? [],
    },
  };
}

/** A RegisteredModel manifest of model `modelName` (same namespace). */
export function registeredModel(
  name: string,
  modelName: string,
  overrides: Partial<DesiredRegisteredModel> = {},
): DesiredRegisteredModel {
  return {
    key: `${NS}/${name}`,
    name,
    source: { file: `manifests/${name}.yaml`, line: 1 },
    labels: {},
    fields: { name },
    modelKey: `${NS}/${modelName}`,
    tags: [],
    ...overrides,
  };
}

/** A Deployment manifest serving registered model `registeredModelName` unless `serves` says otherwise. */
export function deployment(
  name: string,
  registeredModelName: string,
  overrides: Partial<DesiredDeployment> = {},
): DesiredDeployment {
  return {
    key: `${NS}/${name}`,
    name,
    source: { file: `manifests/${name}.yaml`, line: 1 },
    labels: {},
    fields: { label: name },
    serves: { kind: "registeredModel", key: `${NS}/${registeredModelName}` },
    predictionEnvironment: null,
    replacementReason: "OTHER",
    settings: {},
    protected: false,
    ...overrides,
  };
}

/** The desired models of a state (tests edit them). */
export function modelsOf(state: DesiredState): DesiredModel[] {
  return state.resources[CUSTOM_MODEL] as DesiredModel[];
}

/** A fresh DataRobot with the seeded public environment models refer to by id. */
export function freshLive(): World {
  return {
    ...emptyWorld(NS),
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
    // Catalog datasets made elsewhere, which manifests name by id.
    datasets: ["ds-external", "ds-existing"].map((id) => ({
      id,
      versionId: `${id}-v1`,
      name: `${id}.csv`,
      processingState: "COMPLETED",
    })),
  };
}
