import { z } from "zod";
import { DigestSchema } from "./trailer.js";

/**
 * What DataRobot should look like, as the manifests say: refs resolved, credentials resolved to ids,
 * sensitive values reduced to their hash, file digests known. Built by `desiredStateFromProject`;
 * everything downstream (pair, diff, plan) is a pure function of this and the LiveState.
 */

export const Sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, "expected 64 lowercase hex digits");

/** Where a desired object was declared, for messages that point at the manifest. */
export const SourceLocationSchema = z.object({ file: z.string(), line: z.number().int() });
export type SourceLocation = z.infer<typeof SourceLocationSchema>;

export const DesiredFileSchema = z.object({
  /** Posix path relative to the model's source folder: the version item's `filePath`. */
  path: z.string().min(1),
  sha256: Sha256HexSchema,
  size: z.number().int().nonnegative(),
  /** Local file to upload; never sent, never compared. */
  absPath: z.string(),
});
export type DesiredFile = z.infer<typeof DesiredFileSchema>;

export const EnvironmentRefSchema = z.union([
  z.strictObject({ ref: z.string().min(1) }),
  z.strictObject({ id: z.string().min(1), versionId: z.string().min(1).optional() }),
  z.strictObject({ name: z.string().min(1) }),
]);
export type EnvironmentRef = z.infer<typeof EnvironmentRefSchema>;

/** `ref` is the key of a Dataset manifest; `id` an existing catalog dataset drgitops does not manage. */
export const DatasetRefSchema = z.union([
  z.strictObject({ ref: z.string().min(1) }),
  z.strictObject({ id: z.string().min(1) }),
]);
export type DatasetRef = z.infer<typeof DatasetRefSchema>;

/** API.md §10.2 runtime parameter types. */
export const RuntimeParameterTypeSchema = z.enum([
  "string",
  "numeric",
  "boolean",
  "credential",
  "deployment",
]);
export type RuntimeParameterType = z.infer<typeof RuntimeParameterTypeSchema>;

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
    /** sha256 of the value as read at plan time. */
    valueHash: DigestSchema,
  }),
]);
export type DesiredRuntimeParameter = z.infer<typeof DesiredRuntimeParameterSchema>;

export const NetworkEgressPolicySchema = z.enum(["NONE", "PUBLIC", "DR_API_ACCESS"]);

export const DesiredResourcesSchema = z.object({
  memoryBytes: z.number().int().positive().optional(),
  replicas: z.number().int().min(1).optional(),
  networkEgressPolicy: NetworkEgressPolicySchema.optional(),
});
export type DesiredResources = z.infer<typeof DesiredResourcesSchema>;

/**
 * Model-level fields (PATCH customModels/{id}/). Only the ones a manifest declares are present, and
 * only present ones are managed: a field set in the UI and absent from the manifest is left alone.
 */
export const ModelFieldsSchema = z
  .object({
    name: z.string().min(1),
    description: z.string(),
    targetName: z.string().min(1),
    positiveClassLabel: z.string(),
    negativeClassLabel: z.string(),
    predictionThreshold: z.number().min(0).max(1),
    classLabels: z.array(z.string()),
    language: z.string(),
  })
  .partial();
export type ModelFields = z.infer<typeof ModelFieldsSchema>;
export type ModelFieldName = keyof ModelFields;

export const TestCheckModeSchema = z.enum(["fail", "warn", "skip"]);

/** API.md §3.1 `parameters`: per check, numbers and strings (datasets travel apart, as refs). */
export const TestParametersSchema = z.record(
  z.string(),
  z.record(z.string(), z.union([z.number(), z.string()])),
);

/** The test a version must pass (API.md §3.1), in the shape POST customModelTests/ takes. */
export const DesiredTestSchema = z.object({
  dataset: DatasetRefSchema.nullable(),
  configuration: z.record(z.string(), TestCheckModeSchema),
  parameters: TestParametersSchema,
  /** predictionVerificationCheck's dataset. */
  predictionDataset: DatasetRefSchema.nullable(),
  /** Digest of the configuration, with the dataset by content identity: stable across applies. */
  configDigest: DigestSchema,
});
export type DesiredTest = z.infer<typeof DesiredTestSchema>;

export const LifecycleSchema = z.object({
  protected: z.boolean(),
  /** Field paths whose live value wins (e.g. `description`, `resources`, `runtimeParameters.MODE`). */
  ignoreChanges: z.array(z.string()),
});
export type Lifecycle = z.infer<typeof LifecycleSchema>;

export const DesiredModelSchema = z.object({
  key: z.string().min(1),
  name: z.string().min(1),
  source: SourceLocationSchema,
  labels: z.record(z.string(), z.string()),
  /** Immutable once created; a different live value is refused, not patched. */
  targetType: z.string().min(1),
  fields: ModelFieldsSchema,
  environment: EnvironmentRefSchema,
  files: z.array(DesiredFileSchema),
  resources: DesiredResourcesSchema,
  runtimeParameters: z.array(DesiredRuntimeParameterSchema),
  /** Definitions of the uploaded model-metadata.yaml: only a defined override can be removed (API.md §2.7). */
  runtimeParameterDefinitions: z.array(
    z.object({ name: z.string().min(1), type: RuntimeParameterTypeSchema }),
  ),
  trainingData: z.object({ dataset: DatasetRefSchema, partitionColumn: z.string().optional() }).nullable(),
  holdoutData: z.object({ dataset: DatasetRefSchema }).nullable(),
  test: DesiredTestSchema.nullable(),
  lifecycle: LifecycleSchema,
  /** A top-level requirements.txt: a new version needs a dependency build. */
  hasRequirements: z.boolean(),
});
export type DesiredModel = z.infer<typeof DesiredModelSchema>;

export const DesiredEnvironmentSchema = z.object({
  key: z.string().min(1),
  name: z.string().min(1),
  source: SourceLocationSchema,
  labels: z.record(z.string(), z.string()),
  fields: z.object({
    name: z.string().min(1),
    description: z.string(),
    programmingLanguage: z.string().min(1),
    useCases: z.array(z.string()),
  }),
  dockerContextDir: z.string(),
  /** "sha256:..." over the docker context's file list; a new digest builds a new version. */
  contextDigest: DigestSchema,
});
export type DesiredEnvironment = z.infer<typeof DesiredEnvironmentSchema>;

export const DesiredDatasetSchema = z.object({
  key: z.string().min(1),
  name: z.string().min(1),
  source: SourceLocationSchema,
  labels: z.record(z.string(), z.string()),
  content: z.discriminatedUnion("type", [
    z.object({
      type: z.literal("file"),
      absPath: z.string(),
      sha256: Sha256HexSchema,
      size: z.number().int().nonnegative(),
      /** `<metadata.name>-<first 12 hex>`: found again by name, never uploaded twice (DESIGN.md §5). */
      catalogName: z.string().min(1),
    }),
    z.object({ type: z.literal("existing"), id: z.string().min(1) }),
  ]),
});
export type DesiredDataset = z.infer<typeof DesiredDatasetSchema>;

export const DesiredStateSchema = z.object({
  namespace: z.string().min(1),
  models: z.array(DesiredModelSchema),
  environments: z.array(DesiredEnvironmentSchema),
  datasets: z.array(DesiredDatasetSchema),
});
export type DesiredState = z.infer<typeof DesiredStateSchema>;
