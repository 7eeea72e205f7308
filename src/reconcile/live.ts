import { z } from "zod";
import type { Credential } from "../client/wire/credential.js";
import type { CustomModel } from "../client/wire/custom-model.js";
import type { Dataset } from "../client/wire/dataset.js";
import type { Environment, EnvironmentVersion } from "../client/wire/environment.js";
import type { CustomModelTest } from "../client/wire/test.js";
import type { CustomModelVersion } from "../client/wire/version.js";
import { Sha256HexSchema } from "./desired.js";
import { parseDescription, TestOutcomeSchema, TrailerSchema } from "./trailer.js";

/**
 * What DataRobot holds now, reduced to what reconciling needs. Only objects drgitops manages in the
 * namespace (plus the environments, datasets and credentials that references may point at) are here;
 * `liveStateFrom` builds it from list responses, so observing costs O(pages), not O(models).
 */

export const LiveRuntimeParameterSchema = z.object({
  fieldName: z.string(),
  type: z.string(),
  /** API.md §2.7: null means "no override, the default applies". Values may be secrets: never print them. */
  overrideValue: z.union([z.string(), z.number(), z.boolean()]).nullable(),
  currentValue: z.union([z.string(), z.number(), z.boolean()]).nullable(),
});
export type LiveRuntimeParameter = z.infer<typeof LiveRuntimeParameterSchema>;

export const LiveVersionSchema = z.object({
  id: z.string(),
  label: z.string(),
  /** Full description; `trailer` is its parsed drgitops trailer (null when absent or malformed). */
  description: z.string(),
  trailer: TrailerSchema.nullable(),
  isFrozen: z.boolean(),
  items: z.array(z.object({ id: z.string(), filePath: z.string() })),
  baseEnvironmentId: z.string().nullable(),
  baseEnvironmentVersionId: z.string().nullable(),
  maximumMemory: z.number().nullable(),
  replicas: z.number().nullable(),
  networkEgressPolicy: z.string().nullable(),
  runtimeParameters: z.array(LiveRuntimeParameterSchema),
  trainingData: z.object({ datasetId: z.string().nullable() }).nullable(),
  holdoutData: z
    .object({ datasetId: z.string().nullable(), partitionColumn: z.string().nullable() })
    .nullable(),
});
export type LiveVersion = z.infer<typeof LiveVersionSchema>;

export const LiveModelSchema = z.object({
  id: z.string(),
  /** The model's `userProvidedId`, always `<namespace>/...`. */
  key: z.string(),
  description: z.string(),
  trailer: TrailerSchema.nullable(),
  targetType: z.string(),
  name: z.string(),
  targetName: z.string().nullable(),
  positiveClassLabel: z.string().nullable(),
  negativeClassLabel: z.string().nullable(),
  predictionThreshold: z.number().nullable(),
  classLabels: z.array(z.string()).nullable(),
  language: z.string(),
  /** Moves on every PATCH and new version: half of the expected fingerprint of a saved plan. */
  updated: z.string().nullable(),
  deploymentsCount: z.number().int(),
  isTrainingDataForVersionsPermanentlyEnabled: z.boolean(),
  latestVersion: LiveVersionSchema.nullable(),
});
export type LiveModel = z.infer<typeof LiveModelSchema>;

export const LiveEnvironmentVersionSchema = z.object({
  id: z.string(),
  label: z.string(),
  description: z.string(),
  trailer: TrailerSchema.nullable(),
  buildStatus: z.string(),
});
export type LiveEnvironmentVersion = z.infer<typeof LiveEnvironmentVersionSchema>;

export const LiveEnvironmentSchema = z.object({
  id: z.string(),
  /** The trailer's key when drgitops manages it; null for environments referenced by id or name. */
  key: z.string().nullable(),
  name: z.string(),
  description: z.string(),
  trailer: TrailerSchema.nullable(),
  programmingLanguage: z.string(),
  useCases: z.array(z.string()),
  latestVersion: LiveEnvironmentVersionSchema.nullable(),
  latestSuccessfulVersion: LiveEnvironmentVersionSchema.nullable(),
});
export type LiveEnvironment = z.infer<typeof LiveEnvironmentSchema>;

export const LiveDatasetSchema = z.object({
  id: z.string(),
  versionId: z.string(),
  name: z.string(),
  processingState: z.string(),
});
export type LiveDataset = z.infer<typeof LiveDatasetSchema>;

export const LiveTestSchema = z.object({
  id: z.string(),
  versionId: z.string(),
  /** `in_progress` or a final TestOutcome. */
  overallStatus: z.union([TestOutcomeSchema, z.literal("in_progress")]),
  /** Failed checks with their messages, for the gate's explanation. */
  failedChecks: z.array(z.object({ check: z.string(), message: z.string() })),
});
export type LiveTest = z.infer<typeof LiveTestSchema>;

export const LiveFileSchema = z.object({
  path: z.string(),
  sha256: Sha256HexSchema,
  size: z.number().int().nonnegative(),
});
export type LiveFile = z.infer<typeof LiveFileSchema>;

export const LiveStateSchema = z.object({
  namespace: z.string(),
  models: z.array(LiveModelSchema),
  environments: z.array(LiveEnvironmentSchema),
  datasets: z.array(LiveDatasetSchema),
  /** Credential name -> id. Ids are not secret. */
  credentials: z.record(z.string(), z.string()),
  /** Model key -> its latest test (null: none), only for models `modelsNeedingLatestTest` named. */
  latestTests: z.record(z.string(), LiveTestSchema.nullable()),
  /** Version id -> per-file digests, only for versions `versionsNeedingFileDigests` named. */
  versionFiles: z.record(z.string(), z.array(LiveFileSchema)),
});
export type LiveState = z.infer<typeof LiveStateSchema>;

/** An empty live state (a fresh DataRobot): the base of builders and of the first plan. */
export function emptyLiveState(namespace: string): LiveState {
  return {
    namespace,
    models: [],
    environments: [],
    datasets: [],
    credentials: {},
    latestTests: {},
    versionFiles: {},
  };
}

/** List responses as the client returns them (API.md wire shapes); one listing per resource. */
export interface LiveStateInput {
  namespace: string;
  models: readonly CustomModel[];
  environments: readonly Environment[];
  datasets: readonly Dataset[];
  credentials: readonly Credential[];
  /** Model key -> its latest test (newest first, data[0]) or null, for the models asked for. */
  latestTests?: Readonly<Record<string, CustomModelTest | null>>;
  versionFiles?: Readonly<Record<string, LiveFile[]>>;
}

/**
 * Wire -> LiveState: keeps only models whose `userProvidedId` is in the namespace (everything else
 * is invisible to plan, apply and prune), parses trailers, and maps nullish wire fields to null.
 */
export function liveStateFrom(input: LiveStateInput): LiveState {
  const prefix = `${input.namespace}/`;
  const credentials: Record<string, string> = {};
  for (const c of input.credentials) credentials[c.name] ??= c.credentialId;
  const latestTests: Record<string, LiveTest | null> = {};
  for (const [key, test] of Object.entries(input.latestTests ?? {}))
    latestTests[key] = test && liveTest(test);
  return {
    namespace: input.namespace,
    models: input.models.flatMap((m) =>
      m.userProvidedId?.startsWith(prefix) ? [liveModel(m, m.userProvidedId)] : [],
    ),
    environments: input.environments.map(liveEnvironment),
    datasets: input.datasets.map((d) => ({
      id: d.datasetId,
      versionId: d.versionId,
      name: d.name,
      processingState: d.processingState,
    })),
    credentials,
    latestTests,
    versionFiles: { ...(input.versionFiles ?? {}) },
  };
}

function liveModel(m: CustomModel, key: string): LiveModel {
  return {
    id: m.id,
    key,
    description: m.description,
    trailer: parseDescription(m.description).trailer,
    targetType: m.targetType,
    name: m.name,
    targetName: m.targetName ?? null,
    positiveClassLabel: m.positiveClassLabel ?? null,
    negativeClassLabel: m.negativeClassLabel ?? null,
    predictionThreshold: m.predictionThreshold ?? null,
    classLabels: m.classLabels ?? null,
    language: m.language,
    updated: m.updated ?? null,
    deploymentsCount: m.deploymentsCount ?? 0,
    isTrainingDataForVersionsPermanentlyEnabled: m.isTrainingDataForVersionsPermanentlyEnabled ?? false,
    latestVersion: m.latestVersion ? liveVersion(m.latestVersion) : null,
  };
}

export function liveVersion(v: CustomModelVersion): LiveVersion {
  const description = v.description ?? "";
  return {
    id: v.id,
    label: v.label ?? `${v.versionMajor}.${v.versionMinor}`,
    description,
    trailer: parseDescription(description).trailer,
    isFrozen: v.isFrozen,
    items: v.items.map((i) => ({ id: i.id, filePath: i.filePath })),
    baseEnvironmentId: v.baseEnvironmentId ?? null,
    baseEnvironmentVersionId: v.baseEnvironmentVersionId ?? null,
    maximumMemory: v.maximumMemory ?? null,
    replicas: v.replicas ?? null,
    networkEgressPolicy: v.networkEgressPolicy ?? null,
    runtimeParameters: (v.runtimeParameters ?? []).map((p) => ({
      fieldName: p.fieldName,
      type: p.type,
      overrideValue: p.overrideValue ?? null,
      currentValue: p.currentValue ?? null,
    })),
    trainingData: v.trainingData ? { datasetId: v.trainingData.datasetId ?? null } : null,
    holdoutData: v.holdoutData
      ? { datasetId: v.holdoutData.datasetId ?? null, partitionColumn: v.holdoutData.partitionColumn ?? null }
      : null,
  };
}

function liveEnvironmentVersion(v: EnvironmentVersion): LiveEnvironmentVersion {
  const description = v.description ?? "";
  return {
    id: v.id,
    label: v.label ?? v.id,
    description,
    trailer: parseDescription(description).trailer,
    buildStatus: v.buildStatus,
  };
}

function liveEnvironment(e: Environment): LiveEnvironment {
  const description = e.description ?? "";
  const trailer = parseDescription(description).trailer;
  return {
    id: e.id,
    key: trailer?.key ?? null,
    name: e.name,
    description,
    trailer,
    programmingLanguage: e.programmingLanguage ?? "other",
    useCases: e.useCases ?? [],
    latestVersion: e.latestVersion ? liveEnvironmentVersion(e.latestVersion) : null,
    latestSuccessfulVersion: e.latestSuccessfulVersion
      ? liveEnvironmentVersion(e.latestSuccessfulVersion)
      : null,
  };
}

const FINAL_OUTCOMES = new Set<string>(TestOutcomeSchema.options);

/** A test's status as the gate reads it; an unknown status counts as still running (never as a pass). */
export function liveTest(t: CustomModelTest): LiveTest {
  const status = t.overallStatus;
  return {
    id: t.id,
    versionId: t.customModelVersion?.id ?? t.customModelImageId ?? "",
    overallStatus: FINAL_OUTCOMES.has(status) ? (status as LiveTest["overallStatus"]) : "in_progress",
    failedChecks: Object.entries(t.testingStatus)
      .filter(([, s]) => s.status === "failed")
      .map(([check, s]) => ({ check, message: s.message ?? "" })),
  };
}
