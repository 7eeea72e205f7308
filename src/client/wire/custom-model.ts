import { z } from "zod";
import { GitModelVersionSchema, NetworkEgressPolicySchema } from "./common.js";
import { CustomModelVersionSchema } from "./version.js";

/** API.md §1.2: the target types DataRobot accepts on create. */
export const TargetTypeSchema = z.enum([
  "Binary",
  "Regression",
  "Multiclass",
  "Multilabel",
  "Anomaly",
  "Unstructured",
  "TextGeneration",
  "GeoPoint",
  "VectorDatabase",
  "AgenticWorkflow",
  "MCP",
]);
export type TargetType = z.infer<typeof TargetTypeSchema>;

export const TagSchema = z.object({ name: z.string(), value: z.string() });

export const ExternalMlopsStatsConfigSchema = z.object({
  trainingDatasetId: z.string().nullish(),
  trainingDatasetName: z.string().nullish(),
  holdoutDatasetId: z.string().nullish(),
  holdoutDatasetName: z.string().nullish(),
});

/**
 * API.md §1.3. `targetType` is read as a plain string: the platform adds target types over time and
 * listing models must not break on one this client does not know yet.
 */
export const CustomModelSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  description: z.string(),
  language: z.string(),
  customModelType: z.string().optional(),
  targetType: z.string(),
  targetName: z.string().nullish(),
  positiveClassLabel: z.string().nullish(),
  negativeClassLabel: z.string().nullish(),
  predictionThreshold: z.number().nullish(),
  classLabels: z.array(z.string()).nullish(),
  latestVersion: CustomModelVersionSchema.nullish(),
  deploymentsCount: z.number().int().optional(),
  createdBy: z.string().optional(),
  created: z.string(),
  updated: z.string().nullish(),
  trainingDatasetId: z.string().nullish(),
  trainingDatasetVersionId: z.string().nullish(),
  trainingDataFileName: z.string().nullish(),
  trainingDataPartitionColumn: z.string().nullish(),
  trainingDataAssignmentInProgress: z.boolean().optional(),
  networkEgressPolicy: z.string().nullish(),
  maximumMemory: z.number().nullish(),
  desiredMemory: z.number().nullish(),
  replicas: z.number().nullish(),
  isTrainingDataForVersionsPermanentlyEnabled: z.boolean().optional(),
  isProxyModel: z.boolean().optional(),
  isUnstructuredModelKind: z.boolean().optional(),
  tags: z.array(TagSchema).optional(),
  userProvidedId: z.string().nullish(),
  gitModelVersion: GitModelVersionSchema.nullish(),
  externalMlopsStatsConfig: ExternalMlopsStatsConfigSchema.nullish(),
});
export type CustomModel = z.infer<typeof CustomModelSchema>;

/** API.md §1.2: POST customModels/ body (camelCase on the wire, as sent). */
export const CreateCustomModelSchema = z.object({
  name: z.string().min(1),
  targetType: TargetTypeSchema,
  customModelType: z.literal("inference").optional(),
  targetName: z.string().min(1).optional(),
  positiveClassLabel: z.string().optional(),
  negativeClassLabel: z.string().optional(),
  predictionThreshold: z.number().min(0).max(1).optional(),
  classLabels: z.array(z.string()).min(2).optional(),
  language: z.string().optional(),
  description: z.string().optional(),
  networkEgressPolicy: NetworkEgressPolicySchema.optional(),
  maximumMemory: z.number().int().positive().optional(),
  replicas: z.number().int().min(1).optional(),
  isTrainingDataForVersionsPermanentlyEnabled: z.boolean().optional(),
  isProxyModel: z.boolean().optional(),
  tags: z.array(TagSchema).optional(),
  userProvidedId: z.string().min(1).optional(),
  gitModelVersion: GitModelVersionSchema.optional(),
  isUnstructuredModelKind: z.boolean().optional(),
});
export type CreateCustomModelInput = z.infer<typeof CreateCustomModelSchema>;

/** API.md §1.2: PATCH customModels/{id}/ takes any subset (targetType cannot change). */
export const UpdateCustomModelSchema = CreateCustomModelSchema.omit({
  targetType: true,
  customModelType: true,
  userProvidedId: true,
})
  .partial()
  .extend({
    externalMlopsStatsConfig: z
      .object({ trainingDatasetId: z.string().optional(), holdoutDatasetId: z.string().optional() })
      .optional(),
  });
export type UpdateCustomModelInput = z.infer<typeof UpdateCustomModelSchema>;

/** API.md §1.4: list filters. */
export const ListCustomModelsQuerySchema = z.object({
  customModelType: z.string().optional(),
  targetType: z.string().optional(),
  isDeployed: z.boolean().optional(),
  searchFor: z.string().optional(),
  orderBy: z.enum(["created", "-created", "updated", "-updated"]).optional(),
  tagKeys: z.array(z.string()).optional(),
  tagValues: z.array(z.string()).optional(),
  offset: z.number().int().nonnegative().optional(),
  limit: z.number().int().nonnegative().optional(),
});
export type ListCustomModelsQuery = z.infer<typeof ListCustomModelsQuerySchema>;

/** API.md §6.1: model-level training data assignment. */
export const AssignTrainingDataSchema = z.object({
  datasetId: z.string().min(1),
  partitionColumn: z.string().min(1).optional(),
});
export type AssignTrainingDataInput = z.infer<typeof AssignTrainingDataSchema>;
