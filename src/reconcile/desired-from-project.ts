import { canonicalJson } from "../spec/canonical-json.js";
import { datasetCatalogName } from "../spec/fingerprint.js";
import type { Issue } from "../spec/issue.js";
import type { LoadedDataset, LoadedEnvironment, LoadedModel, Project } from "../spec/project.js";
import type { DatasetRef as ManifestDatasetRef } from "../spec/schema/common.js";
import type { RuntimeValue } from "../spec/schema/custom-model.js";
import {
  type DatasetRef,
  type DesiredDataset,
  type DesiredEnvironment,
  type DesiredModel,
  type DesiredRuntimeParameter,
  type DesiredState,
  type DesiredTest,
  type ModelFields,
  type RuntimeParameterType,
} from "./desired.js";
import { sha256Digest } from "./fingerprint.js";
import { DigestSchema } from "./trailer.js";

/**
 * Project (validated manifests) -> DesiredState. Pure: credentials and environment variables come in
 * as data, so the same inputs always give the same state; what cannot be resolved becomes an Issue
 * pointing at the manifest, and the caller stops before anything is written.
 */
export interface DesiredInputs {
  /** Credential name -> id, as listed from DataRobot. */
  credentials: ReadonlyMap<string, string>;
  env: Readonly<Record<string, string | undefined>>;
}

export function desiredStateFromProject(
  project: Project,
  inputs: DesiredInputs,
): { state: DesiredState; issues: Issue[] } {
  const issues: Issue[] = [];
  const datasets = project.datasets.flatMap((d) => datasetOf(d, issues));
  const catalogNames = new Map(
    datasets.flatMap((d) => (d.content.type === "file" ? [[d.name, d.content.catalogName] as const] : [])),
  );
  return {
    state: {
      namespace: project.namespace,
      models: project.models.flatMap((m) => modelOf(m, inputs, catalogNames, issues)),
      environments: project.environments.flatMap((e) => environmentOf(e, issues)),
      datasets,
    },
    issues,
  };
}

type Loaded = LoadedModel | LoadedEnvironment | LoadedDataset;

function issueAt(loaded: Loaded, path: (string | number)[], code: string, message: string): Issue {
  return {
    code,
    severity: "error",
    file: loaded.file,
    ...loaded.locate(path),
    kind: loaded.manifest.kind,
    name: loaded.name,
    path,
    message,
  };
}

function notHashed(loaded: Loaded, path: string[]): Issue {
  return issueAt(loaded, path, "not-hashed", "content digests are missing: load the project with hash: true");
}

function datasetOf(loaded: LoadedDataset, issues: Issue[]): DesiredDataset[] {
  const base = {
    key: loaded.key,
    name: loaded.name,
    source: { file: loaded.file, line: loaded.line },
    labels: loaded.manifest.metadata.labels ?? {},
  };
  const spec = loaded.manifest.spec;
  if (spec.id !== undefined) return [{ ...base, content: { type: "existing", id: spec.id } }];
  if (loaded.filePath === undefined || loaded.sha256 === undefined || loaded.size === undefined) {
    issues.push(notHashed(loaded, ["spec", "file"]));
    return [];
  }
  return [
    {
      ...base,
      content: {
        type: "file",
        absPath: loaded.filePath,
        sha256: loaded.sha256,
        size: loaded.size,
        catalogName: datasetCatalogName(loaded.name, loaded.sha256),
      },
    },
  ];
}

function environmentOf(loaded: LoadedEnvironment, issues: Issue[]): DesiredEnvironment[] {
  const spec = loaded.manifest.spec;
  const digest = DigestSchema.safeParse(loaded.contextDigest);
  if (!digest.success) {
    issues.push(notHashed(loaded, ["spec", "dockerContext"]));
    return [];
  }
  return [
    {
      key: loaded.key,
      name: loaded.name,
      source: { file: loaded.file, line: loaded.line },
      labels: loaded.manifest.metadata.labels ?? {},
      fields: {
        name: spec.displayName ?? loaded.name,
        description: spec.description ?? "",
        // API.md §4.1 defaults, written out so a live default and an omitted field compare equal.
        programmingLanguage: spec.programmingLanguage ?? "other",
        useCases: spec.useCases ?? ["customModel"],
      },
      dockerContextDir: loaded.dockerContextDir,
      contextDigest: digest.data,
    },
  ];
}

function modelOf(
  loaded: LoadedModel,
  inputs: DesiredInputs,
  catalogNames: ReadonlyMap<string, string>,
  issues: Issue[],
): DesiredModel[] {
  const spec = loaded.manifest.spec;
  if (loaded.files === undefined) {
    issues.push(notHashed(loaded, ["spec", "source"]));
    return [];
  }
  const fields: ModelFields = { name: spec.displayName ?? loaded.name };
  if (spec.description !== undefined) fields.description = spec.description;
  if (spec.targetName !== undefined) fields.targetName = spec.targetName;
  if (spec.positiveClassLabel !== undefined) fields.positiveClassLabel = spec.positiveClassLabel;
  if (spec.negativeClassLabel !== undefined) fields.negativeClassLabel = spec.negativeClassLabel;
  if (spec.predictionThreshold !== undefined) fields.predictionThreshold = spec.predictionThreshold;
  if (loaded.classLabels !== undefined) fields.classLabels = loaded.classLabels;
  if (spec.language !== undefined) fields.language = spec.language;

  const before = issues.length;
  const runtimeParameters = Object.entries(spec.runtimeParameters ?? {}).flatMap(([name, value]) =>
    runtimeParameterOf(loaded, name, value, inputs, issues),
  );
  if (issues.length > before) return [];
  const resources = spec.resources ?? {};
  return [
    {
      key: loaded.key,
      name: loaded.name,
      source: { file: loaded.file, line: loaded.line },
      labels: loaded.manifest.metadata.labels ?? {},
      targetType: spec.targetType,
      fields,
      environment: spec.environment,
      files: loaded.files.map((f) => ({ path: f.path, sha256: f.sha256, size: f.size, absPath: f.absPath })),
      resources: {
        ...(resources.memory !== undefined ? { memoryBytes: resources.memory } : {}),
        ...(resources.replicas !== undefined ? { replicas: resources.replicas } : {}),
        ...(resources.networkEgressPolicy !== undefined
          ? { networkEgressPolicy: resources.networkEgressPolicy }
          : {}),
      },
      runtimeParameters,
      runtimeParameterDefinitions: (loaded.metadata?.runtimeParameterDefinitions ?? []).map((def) => ({
        name: def.fieldName,
        type: def.type,
      })),
      trainingData: spec.trainingData
        ? {
            dataset: spec.trainingData.dataset,
            ...(spec.trainingData.partitionColumn !== undefined
              ? { partitionColumn: spec.trainingData.partitionColumn }
              : {}),
          }
        : null,
      holdoutData: spec.holdoutData ? { dataset: spec.holdoutData.dataset } : null,
      test: spec.test ? testOf(spec.test, catalogNames) : null,
      lifecycle: {
        protected: spec.lifecycle?.protected ?? false,
        ignoreChanges: [...(spec.lifecycle?.ignoreChanges ?? [])],
      },
      hasRequirements: loaded.hasRequirements,
    },
  ];
}

function runtimeParameterOf(
  loaded: LoadedModel,
  name: string,
  value: RuntimeValue,
  inputs: DesiredInputs,
  issues: Issue[],
): DesiredRuntimeParameter[] {
  const path = ["spec", "runtimeParameters", name];
  const definition = loaded.metadata?.runtimeParameterDefinitions?.find((d) => d.fieldName === name);
  if (typeof value !== "object") {
    const type = definition?.type ?? inferType(value);
    return [{ source: "literal", name, type, value }];
  }
  if ("credential" in value) {
    const credentialId = inputs.credentials.get(value.credential);
    if (credentialId === undefined) {
      issues.push(
        issueAt(
          loaded,
          path,
          "missing-credential",
          `credential "${value.credential}" does not exist in DataRobot; create it there (drgitops never creates credentials) or fix the name`,
        ),
      );
      return [];
    }
    return [
      { source: "credential", name, type: "credential", credentialName: value.credential, credentialId },
    ];
  }
  const raw = inputs.env[value.env];
  if (raw === undefined) {
    issues.push(
      issueAt(
        loaded,
        path,
        "missing-env",
        `environment variable ${value.env} is not set; export it before running drgitops`,
      ),
    );
    return [];
  }
  const type = definition?.type ?? "string";
  if (value.sensitive === true)
    return [{ source: "sensitive", name, type, envVar: value.env, valueHash: sha256Digest(raw) }];
  const converted = convert(raw, type);
  if (converted === undefined) {
    issues.push(
      issueAt(
        loaded,
        path,
        "invalid-env-value",
        `environment variable ${value.env} is not a valid ${type} value`,
      ),
    );
    return [];
  }
  return [{ source: "literal", name, type, value: converted, envVar: value.env }];
}

function inferType(value: string | number | boolean): RuntimeParameterType {
  return typeof value === "number" ? "numeric" : typeof value === "boolean" ? "boolean" : "string";
}

/** An environment variable is text; numeric and boolean parameters get the typed value. */
function convert(raw: string, type: RuntimeParameterType): string | number | boolean | undefined {
  if (type === "numeric") {
    const n = Number(raw);
    return raw.trim() !== "" && Number.isFinite(n) ? n : undefined;
  }
  if (type === "boolean") {
    const lower = raw.toLowerCase();
    return lower === "true" ? true : lower === "false" ? false : undefined;
  }
  return raw;
}

type TestSpec = NonNullable<LoadedModel["manifest"]["spec"]["test"]>;

/** Manifest checks -> API.md §3.1 configuration/parameters, and the digest recorded with outcomes. */
function testOf(test: TestSpec, catalogNames: ReadonlyMap<string, string>): DesiredTest {
  const checks = test.checks ?? {};
  const configuration: DesiredTest["configuration"] = {};
  const parameters: DesiredTest["parameters"] = {};
  for (const name of ["errorCheck", "longRunningService", "nullValueImputation", "sideEffects"] as const) {
    const mode = checks[name];
    if (mode !== undefined) configuration[name] = mode;
  }
  const withParams = [
    ["performanceCheck", checks.performance],
    ["stabilityCheck", checks.stability],
  ] as const;
  for (const [name, check] of withParams) {
    if (!check) continue;
    const { mode, ...params } = check;
    configuration[name] = mode;
    const defined = definedOnly(params);
    if (Object.keys(defined).length > 0) parameters[name] = defined;
  }
  let predictionDataset: DatasetRef | null = null;
  if (checks.predictionVerification) {
    const { mode, dataset, ...params } = checks.predictionVerification;
    configuration.predictionVerificationCheck = mode;
    parameters.predictionVerificationCheck = definedOnly(params);
    predictionDataset = dataset;
  }
  const dataset = test.dataset ?? null;
  // Datasets by content identity (catalog name), not id: the digest must not change when apply uploads it.
  const identity = (ref: ManifestDatasetRef | null): unknown =>
    ref === null
      ? null
      : "id" in ref
        ? { id: ref.id }
        : { catalogName: catalogNames.get(ref.ref) ?? ref.ref };
  const configDigest = sha256Digest(
    canonicalJson({
      dataset: identity(dataset),
      configuration,
      parameters,
      predictionDataset: identity(predictionDataset),
    }),
  );
  return { dataset, configuration, parameters, predictionDataset, configDigest };
}

function definedOnly(params: Record<string, string | number | undefined>): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(params)) if (v !== undefined) out[k] = v;
  return out;
}
