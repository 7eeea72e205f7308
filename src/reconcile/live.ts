import { z } from "zod";
import { Sha256HexSchema } from "./desired.js";
import { TestOutcomeSchema, TrailerSchema } from "./trailer.js";

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
