import { z } from "zod";
import { CheckModeSchema } from "../../client/wire/test.js";
import { canonicalJson } from "../../spec/canonical-json.js";
import {
  DigestSchema,
  keyedDigest,
  KeyedDigestSchema,
  sha256Digest,
  Sha256HexSchema,
} from "../../spec/digest.js";
import type { Issue } from "../../spec/issue.js";
import type { SourceFile } from "../../spec/source-files.js";
import { memoByIdentity } from "../../spec/memo.js";
import { issueAt, resourcesOf, type LoadedResource, type Project } from "../../spec/project.js";
import { checkRuntimeValue, type RuntimeValueProblem } from "../../spec/runtime-values.js";
import type { DatasetRef } from "../../spec/schema/common.js";
import {
  RuntimeParameterTypeSchema,
  type RuntimeParameterDefinition,
  type RuntimeParameterType,
} from "../../spec/schema/model-metadata.js";
import { desiredBase, type DesiredBase, type DesiredInputs } from "../../reconcile/state.js";
import { catalogNameOf, notHashed } from "../dataset/desired.js";
import { DATASET, type DatasetManifest } from "../dataset/schema.js";
import { resourcesFromManifest, type ModelFields, type VersionResources } from "./fields.js";
import type { LiveModels } from "./live.js";
import { runtimeValueMessage } from "./rules.js";
import { CUSTOM_MODEL, type CustomModelManifest, type EnvironmentRef, type RuntimeValue } from "./schema.js";

/**
 * What DataRobot should hold for one custom model, as the manifest says: credentials resolved to ids,
 * sensitive values reduced to their hash, file digests known. Built by `desiredModel`; everything
 * downstream (pair, diff, plan) is a pure function of this and the live state.
 */

export const DesiredFileSchema = z.object({
  /** Posix path relative to the model's source folder: the version item's `filePath`. */
  path: z.string().min(1),
  sha256: Sha256HexSchema,
  size: z.number().int().nonnegative(),
  /** The local file, relative to the project root; never sent, never compared. */
  localPath: z.string(),
});
export type DesiredFile = z.infer<typeof DesiredFileSchema>;

export const ScalarSchema = z.union([z.string(), z.number(), z.boolean()]);
export type Scalar = z.infer<typeof ScalarSchema>;

/**
 * A runtime parameter value, resolved for fingerprinting. A sensitive value is never held: only its
 * hash (apply re-reads the variable and checks the hash, so a plan file cannot leak or go stale silently).
 */
export const DesiredRuntimeParameterSchema = z.discriminatedUnion("source", [
  z.object({
    source: z.literal("literal"),
    name: z.string().min(1),
    type: RuntimeParameterTypeSchema,
    value: ScalarSchema,
    /** Set when the value came from a non-sensitive `{env}`: shown in messages. */
    envVar: z.string().optional(),
  }),
  z.object({
    source: z.literal("credential"),
    name: z.string().min(1),
    type: z.literal("credential"),
    credentialName: z.string().min(1),
    credentialId: z.string().min(1),
  }),
  z.object({
    source: z.literal("sensitive"),
    name: z.string().min(1),
    type: RuntimeParameterTypeSchema,
    envVar: z.string().min(1),
    /** Keyed digest of the value as read at plan time (never the value, never a plain hash). */
    valueHash: KeyedDigestSchema,
  }),
]);
export type DesiredRuntimeParameter = z.infer<typeof DesiredRuntimeParameterSchema>;

/** API.md §3.1 `parameters`: per check, numbers and strings (datasets travel apart, as refs). */
export const TestParametersSchema = z.record(
  z.string(),
  z.record(z.string(), z.union([z.number(), z.string()])),
);

/** The test a version must pass (API.md §3.1), in the shape POST customModelTests/ takes. */
export const DesiredTestSchema = z.object({
  dataset: z.union([z.strictObject({ ref: z.string() }), z.strictObject({ id: z.string() })]).nullable(),
  configuration: z.record(z.string(), CheckModeSchema),
  parameters: TestParametersSchema,
  /** predictionVerificationCheck's dataset. */
  predictionDataset: z
    .union([z.strictObject({ ref: z.string() }), z.strictObject({ id: z.string() })])
    .nullable(),
  /** Digest of the configuration, with the dataset by content identity: stable across applies. */
  configDigest: DigestSchema,
});
export type DesiredTest = z.infer<typeof DesiredTestSchema>;

export interface Lifecycle {
  protected: boolean;
  /** Spec field names whose live value wins (e.g. `description`, `resources`). */
  ignoreChanges: string[];
}

export interface DesiredModel extends DesiredBase {
  /** Immutable once created; a different live value is refused, not patched. */
  targetType: string;
  fields: ModelFields;
  environment: EnvironmentRef;
  files: DesiredFile[];
  resources: VersionResources;
  runtimeParameters: DesiredRuntimeParameter[];
  /** Definitions of the uploaded model-metadata.yaml: only a defined override can be removed (API.md §2.7). */
  runtimeParameterDefinitions: { name: string; type: RuntimeParameterType }[];
  trainingData: { dataset: DatasetRef; partitionColumn?: string } | null;
  holdoutData: { dataset: DatasetRef } | null;
  test: DesiredTest | null;
  lifecycle: Lifecycle;
  /** A top-level requirements.txt: a new version needs a dependency build. */
  hasRequirements: boolean;
  /** `featureImpact: true` and training data: each new version gets feature impact before registration. */
  featureImpact?: boolean;
}

/** The fields a plan may refuse (a reference it cannot resolve, a target type that cannot change). */
const REFUSABLE_FIELDS = [
  "spec.targetType",
  "spec.environment",
  "spec.trainingData.dataset",
  "spec.holdoutData.dataset",
  "spec.test.dataset",
  "spec.test.checks.predictionVerification.dataset",
];

/**
 * Manifest -> DesiredModel. Pure: credentials and environment variables come in as data; what cannot
 * be resolved becomes an Issue pointing at the manifest, and the caller stops before anything is written.
 */
export function desiredModel(
  loaded: LoadedResource<CustomModelManifest>,
  inputs: DesiredInputs,
): { value?: DesiredModel; issues: Issue[] } {
  const spec = loaded.manifest.spec;
  const source = loaded.paths["source"];
  if (source?.files === undefined) return { issues: [notHashed(loaded, ["spec", "source"])] };
  const fields: ModelFields = { name: spec.displayName ?? loaded.name };
  if (spec.description !== undefined) fields.description = spec.description;
  if (spec.targetName !== undefined) fields.targetName = spec.targetName;
  if (spec.positiveClassLabel !== undefined) fields.positiveClassLabel = spec.positiveClassLabel;
  if (spec.negativeClassLabel !== undefined) fields.negativeClassLabel = spec.negativeClassLabel;
  if (spec.predictionThreshold !== undefined) fields.predictionThreshold = spec.predictionThreshold;
  const classLabels = spec.classLabels ?? loaded.paths["classLabelsFile"]?.lines;
  if (classLabels !== undefined) fields.classLabels = classLabels;
  if (spec.language !== undefined) fields.language = spec.language;
  if (spec.tags !== undefined) fields.tags = { ...spec.tags };

  const issues: Issue[] = [];
  const metadata = source.metadata;
  const definitions = metadata?.parsed?.runtimeParameterDefinitions ?? [];
  const credentials = (inputs.live.resources[CUSTOM_MODEL] as LiveModels | undefined)?.credentials ?? {};
  const runtimeParameters = Object.entries(spec.runtimeParameters ?? {}).flatMap(([name, value]) =>
    runtimeParameterOf(loaded, name, value, {
      definition: definitions.find((d) => d.fieldName === name),
      metadataFile: metadata?.file ?? "model-metadata.yaml",
      credentials,
      env: inputs.env,
      secretKey: inputs.secretKey,
      issues,
    }),
  );
  if (issues.length > 0) return { issues };
  const catalogNames = catalogNamesOf(inputs.project);
  const files = desiredFiles(source.files, source.rel);
  return {
    value: Object.assign(desiredBase(loaded, inputs.project.root, REFUSABLE_FIELDS), {
      targetType: spec.targetType,
      fields,
      environment: spec.environment,
      files,
      resources: resourcesFromManifest(spec.resources),
      runtimeParameters,
      runtimeParameterDefinitions: definitions.map((def) => ({ name: def.fieldName, type: def.type })),
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
      hasRequirements: files.some((f) => f.path === "requirements.txt"),
      featureImpact: spec.featureImpact === true && spec.trainingData !== undefined,
    }),
    issues: [],
  };
}

/**
 * Dataset name -> catalog name, once per project (not once per model: with 1,000 models that was a
 * million steps over the project's resources on every plan).
 */
const catalogNamesOf = memoByIdentity(
  (project: Project): ReadonlyMap<string, string> =>
    new Map(
      resourcesOf<DatasetManifest>(project, { name: DATASET }).flatMap((d) => {
        const name = catalogNameOf(d);
        return name === undefined ? [] : [[d.name, name] as const];
      }),
    ),
);

/**
 * The desired files of a hashed source folder, made once per gathered file list: `watch` keeps an
 * unchanged document's list from one cycle to the next, and the planner's fingerprint memo
 * (fingerprint.ts) is keyed by this array. Never mutated.
 */
const desiredFilesCache = new WeakMap<readonly SourceFile[], { rel: string; files: DesiredFile[] }>();

function desiredFiles(source: readonly SourceFile[], rel: string): DesiredFile[] {
  const known = desiredFilesCache.get(source);
  if (known?.rel === rel) return known.files;
  const files = source.map((f) => ({
    path: f.path,
    sha256: f.sha256,
    size: f.size,
    localPath: rel === "." ? f.path : `${rel}/${f.path}`,
  }));
  desiredFilesCache.set(source, { rel, files });
  return files;
}

interface ParameterInputs {
  definition: RuntimeParameterDefinition | undefined;
  metadataFile: string;
  credentials: Readonly<Record<string, string>>;
  env: Readonly<Record<string, string | undefined>>;
  secretKey: string;
  issues: Issue[];
}

function runtimeParameterOf(
  loaded: LoadedResource,
  name: string,
  value: RuntimeValue,
  inputs: ParameterInputs,
): DesiredRuntimeParameter[] {
  const path = ["spec", "runtimeParameters", name];
  const { definition } = inputs;
  if (typeof value !== "object") {
    const type = definition?.type ?? inferType(value);
    return [{ source: "literal", name, type, value }];
  }
  if ("credential" in value) {
    const credentialId = inputs.credentials[value.credential];
    if (credentialId === undefined) {
      inputs.issues.push(
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
    inputs.issues.push(
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
  const sensitive = value.sensitive === true;
  // The same checks as a literal in the manifest (type, range, allowEmpty), before anything is written.
  const problem = definition ? checkRuntimeValue(definition, convert(raw, type) ?? raw) : undefined;
  if (problem) {
    inputs.issues.push(
      issueAt(
        loaded,
        path,
        problem.code,
        envValueMessage(name, value.env, sensitive, problem, inputs.metadataFile),
      ),
    );
    return [];
  }
  if (sensitive)
    return [
      { source: "sensitive", name, type, envVar: value.env, valueHash: keyedDigest(inputs.secretKey, raw) },
    ];
  const converted = convert(raw, type);
  if (converted === undefined) {
    inputs.issues.push(
      issueAt(
        loaded,
        path,
        "runtime-param-type",
        `environment variable ${value.env} is not a valid ${type} value`,
      ),
    );
    return [];
  }
  return [{ source: "literal", name, type, value: converted, envVar: value.env }];
}

/** A sensitive value is never quoted, not even in the message that says it does not fit. */
function envValueMessage(
  name: string,
  envVar: string,
  sensitive: boolean,
  problem: RuntimeValueProblem,
  metadataFile: string,
): string {
  const from = `the value of environment variable ${envVar}${sensitive ? " (sensitive)" : ""}`;
  if (!sensitive) return `${from} does not fit: ${runtimeValueMessage(name, problem, metadataFile)}`;
  const why =
    problem.code === "runtime-param-range"
      ? "is outside the minValue..maxValue of its definition"
      : problem.code === "runtime-param-required"
        ? "is empty, and the definition has allowEmpty: false"
        : "has the wrong type for its definition";
  return `"${name}": ${from} ${why} in ${metadataFile}`;
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

type TestSpec = NonNullable<CustomModelManifest["spec"]["test"]>;

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
  const identity = (ref: DatasetRef | null): unknown =>
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

/** The values of the model's `{env, sensitive: true}` runtime parameters that are set. */
export function sensitiveValues(
  manifest: CustomModelManifest,
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  return Object.values(manifest.spec.runtimeParameters ?? {}).flatMap((value) =>
    typeof value === "object" && "env" in value && value.sensitive === true && env[value.env] !== undefined
      ? [env[value.env]!]
      : [],
  );
}
