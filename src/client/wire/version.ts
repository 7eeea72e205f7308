import { z } from "zod";
import { GitModelVersionSchema, NetworkEgressPolicySchema } from "./common.js";

/** API.md §2.9: one file of a version. No checksum or size exists on the wire: clients keep digests. */
export const VersionItemSchema = z.object({
  id: z.string().min(1),
  fileName: z.string(),
  filePath: z.string(),
  fileSource: z.string().nullish(),
  created: z.string().nullish(),
});
export type VersionItem = z.infer<typeof VersionItemSchema>;

export const DependencySchema = z.object({
  packageName: z.string(),
  line: z.string(),
  lineNumber: z.number().int(),
  constraints: z.array(z.object({ constraintType: z.string(), version: z.string() })),
});

const ParameterValueSchema = z.union([z.string(), z.number(), z.boolean()]).nullish();

/** API.md §2.9: closed runtime parameter entry (PY rejects other keys; we only read). */
export const RuntimeParameterSchema = z.object({
  fieldName: z.string(),
  type: z.string(),
  description: z.string().nullish(),
  allowEmpty: z.boolean().nullish(),
  minValue: z.number().nullish(),
  maxValue: z.number().nullish(),
  defaultValue: ParameterValueSchema,
  overrideValue: ParameterValueSchema,
  currentValue: ParameterValueSchema,
});
export type RuntimeParameter = z.infer<typeof RuntimeParameterSchema>;

export const RequiredMetadataValueSchema = z.object({ fieldName: z.string(), value: z.string() });

export const VersionTrainingDataSchema = z.object({
  datasetId: z.string().nullish(),
  datasetVersionId: z.string().nullish(),
  datasetName: z.string().nullish(),
  assignmentInProgress: z.boolean().nullish(),
  assignmentError: z.object({ message: z.string() }).nullish(),
});

export const VersionHoldoutDataSchema = z.object({
  datasetId: z.string().nullish(),
  datasetVersionId: z.string().nullish(),
  datasetName: z.string().nullish(),
  partitionColumn: z.string().nullish(),
});

/** API.md §2.9: a custom model version. */
export const CustomModelVersionSchema = z.object({
  id: z.string().min(1),
  customModelId: z.string(),
  versionMajor: z.number().int(),
  versionMinor: z.number().int(),
  label: z.string().nullish(),
  description: z.string().nullish(),
  isFrozen: z.boolean(),
  created: z.string().nullish(),
  items: z.array(VersionItemSchema),
  baseEnvironmentId: z.string().nullish(),
  baseEnvironmentVersionId: z.string().nullish(),
  dependencies: z.array(DependencySchema).nullish(),
  networkEgressPolicy: z.string().nullish(),
  maximumMemory: z.number().nullish(),
  replicas: z.number().nullish(),
  resourceBundleId: z.string().nullish(),
  requiredMetadataValues: z.array(RequiredMetadataValueSchema).nullish(),
  trainingData: VersionTrainingDataSchema.nullish(),
  holdoutData: VersionHoldoutDataSchema.nullish(),
  runtimeParameters: z.array(RuntimeParameterSchema).nullish(),
  gitModelVersion: GitModelVersionSchema.nullish(),
});
export type CustomModelVersion = z.infer<typeof CustomModelVersionSchema>;

/** API.md §2.3: the server's path normalisation (`\\` to `/`, no leading `./`). */
export const normaliseFilePath = (p: string): string => p.replace(/\\/g, "/").replace(/^\.\//, "");

/** A file to upload: where it goes inside the model, and where it is read from on disk. */
export const VersionFileSchema = z.object({
  filePath: z
    .string()
    .min(1)
    .refine((p) => !p.startsWith("/") && !/^[A-Za-z]:/.test(p) && !p.split(/[\\/]/).includes(".."), {
      message: "must be a relative path inside the model, without '..'",
    }),
  absPath: z.string().min(1),
});
export type VersionFile = z.infer<typeof VersionFileSchema>;

/** API.md §10.2: the types a runtime parameter may have. */
export const RuntimeParameterTypeSchema = z.enum([
  "string",
  "boolean",
  "numeric",
  "credential",
  "deployment",
]);
export type RuntimeParameterType = z.infer<typeof RuntimeParameterTypeSchema>;

export const RuntimeParameterValueSchema = z.object({
  fieldName: z.string().min(1),
  type: RuntimeParameterTypeSchema,
  value: z.union([z.string(), z.number(), z.boolean(), z.null()]),
});
export type RuntimeParameterValue = z.infer<typeof RuntimeParameterValueSchema>;

/** API.md §2.2: fields of POST versions/ (clean); sent as multipart, structured ones as JSON strings. */
export const CreateVersionSchema = z.object({
  files: z
    .array(VersionFileSchema)
    .default([])
    .refine((files) => new Set(files.map((f) => normaliseFilePath(f.filePath))).size === files.length, {
      message: "two files have the same filePath",
    }),
  isMajorUpdate: z.boolean().optional(),
  baseEnvironmentId: z.string().min(1).optional(),
  baseEnvironmentVersionId: z.string().min(1).optional(),
  networkEgressPolicy: NetworkEgressPolicySchema.optional(),
  maximumMemory: z.number().int().positive().optional(),
  replicas: z.number().int().min(1).optional(),
  /** A resource bundle (API.md §2.2); clients that set it leave maximumMemory out, as TF does. */
  resourceBundleId: z.string().min(1).optional(),
  requiredMetadataValues: z.array(RequiredMetadataValueSchema).optional(),
  trainingData: z.object({ datasetId: z.string().min(1) }).optional(),
  holdoutData: z
    .union([
      z.strictObject({ datasetId: z.string().min(1) }),
      z.strictObject({ partitionColumn: z.string().min(1) }),
    ])
    .optional(),
  keepTrainingHoldoutData: z.boolean().optional(),
  runtimeParameterValues: z.array(RuntimeParameterValueSchema).optional(),
  gitModelVersion: GitModelVersionSchema.optional(),
});
export type CreateVersionInput = z.input<typeof CreateVersionSchema>;

/** API.md §2.2/2.3: PATCH versions/ (from the latest): also the item ids to drop. */
export const CreateVersionFromPreviousSchema = CreateVersionSchema.extend({
  filesToDelete: z.array(z.string().min(1)).default([]),
});
export type CreateVersionFromPreviousInput = z.input<typeof CreateVersionFromPreviousSchema>;

/** API.md §2.10: PATCH versions/{vid}/ changes these in place (no new version). */
export const UpdateVersionSchema = z.object({
  description: z.string().max(10000).optional(),
  requiredMetadataValues: z.array(RequiredMetadataValueSchema).optional(),
  gitModelVersion: GitModelVersionSchema.optional(),
});
export type UpdateVersionInput = z.infer<typeof UpdateVersionSchema>;

/** API.md §6.2 (2): PATCH versions/withTrainingData/. */
export const VersionWithTrainingDataSchema = z.object({
  trainingData: z.object({ datasetId: z.string().min(1) }),
  holdoutData: z
    .union([
      z.strictObject({ datasetId: z.string().min(1) }),
      z.strictObject({ partitionColumn: z.string().min(1) }),
    ])
    .optional(),
  gitModelVersion: GitModelVersionSchema.optional(),
});
export type VersionWithTrainingDataInput = z.infer<typeof VersionWithTrainingDataSchema>;

/** API.md §5: a dependency build of one version. */
export const DependencyBuildSchema = z.object({
  buildStatus: z.string(),
  buildStart: z.string().nullish(),
  buildEnd: z.string().nullish(),
  buildLogLocation: z.string().nullish(),
});
export type DependencyBuild = z.infer<typeof DependencyBuildSchema>;

/** API.md §2.11 */
export const FeatureImpactSchema = z.object({
  count: z.number().int().nullish(),
  ranRedundancyDetection: z.boolean().nullish(),
  rowCount: z.number().nullish(),
  shapBased: z.boolean().nullish(),
  featureImpacts: z.array(z.record(z.string(), z.unknown())),
});
export type FeatureImpact = z.infer<typeof FeatureImpactSchema>;

/** API.md §2.1 conversions (SAS main programs). */
export const ConversionSchema = z.object({
  id: z.string().min(1),
  customModelVersionId: z.string().nullish(),
  created: z.string().nullish(),
  mainProgramItemId: z.string().nullish(),
  logMessage: z.string().nullish(),
  generatedMetadata: z
    .object({ outputDataset: z.string().nullish(), outputColumns: z.array(z.string()).nullish() })
    .nullish(),
  conversionSucceeded: z.boolean().nullish(),
  conversionInProgress: z.boolean().nullish(),
  shouldStop: z.boolean().nullish(),
});
export type Conversion = z.infer<typeof ConversionSchema>;

export const ConversionCreatedSchema = z.object({ conversionId: z.string().min(1) });
