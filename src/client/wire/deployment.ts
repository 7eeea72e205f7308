import { z } from "zod";
import { TagSchema } from "./custom-model.js";

/**
 * API.md §13. Read loosely where §13.15 says the real platform is uncertain: what `model` holds for
 * a custom-model deployment, package `stage` values, validation check names, settings sections and
 * their defaults. Enumerations are read as strings so a new value never breaks a listing.
 */

/** §13.2 `target`. */
export const PackageTargetSchema = z.object({
  name: z.string().nullish(),
  type: z.string().nullish(),
  predictionThreshold: z.number().nullish(),
  classNames: z.array(z.string()).nullish(),
});

/** §13.2: a model package, also a registered model version. */
export const ModelPackageSchema = z.object({
  id: z.string().min(1),
  name: z.string().nullish(),
  /** The custom model version id. */
  modelId: z.string().nullish(),
  customModelId: z.string().nullish(),
  registeredModelId: z.string().nullish(),
  registeredModelVersion: z.number().int().nullish(),
  buildStatus: z.string().nullish(),
  stage: z.string().nullish(),
  target: PackageTargetSchema.nullish(),
  tags: z.array(TagSchema).nullish(),
  textGeneration: z.object({ prompt: z.string().nullish() }).nullish(),
  created: z.string().nullish(),
});
export type ModelPackage = z.infer<typeof ModelPackageSchema>;

/** §13.3 */
export const RegisteredModelSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  description: z.string().nullish(),
  lastVersionNum: z.number().int().nullish(),
  isGlobal: z.boolean().nullish(),
  createdAt: z.string().nullish(),
  modifiedAt: z.string().nullish(),
  target: z.object({ name: z.string().nullish(), type: z.string().nullish() }).nullish(),
});
export type RegisteredModel = z.infer<typeof RegisteredModelSchema>;

/** §13.4 */
export const PredictionEnvironmentSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  description: z.string().nullish(),
  platform: z.string().nullish(),
  managedBy: z.string().nullish(),
  isManagedByManagementAgent: z.boolean().nullish(),
  supportedModelFormats: z.array(z.string()).nullish(),
  priority: z.number().nullish(),
  created: z.string().nullish(),
});
export type PredictionEnvironment = z.infer<typeof PredictionEnvironmentSchema>;

/** §13.6 `model`; every field is uncertain for a custom-model deployment (§13.15). */
export const DeployedModelSchema = z.object({
  id: z.string().nullish(),
  type: z.string().nullish(),
  targetName: z.string().nullish(),
  targetType: z.string().nullish(),
  projectId: z.string().nullish(),
  customModelImage: z
    .object({
      customModelId: z.string().nullish(),
      customModelVersionId: z.string().nullish(),
      customModelName: z.string().nullish(),
      customModelVersionLabel: z.string().nullish(),
      executionEnvironmentId: z.string().nullish(),
      executionEnvironmentVersionId: z.string().nullish(),
    })
    .nullish(),
});

/** §13.6 */
export const DeploymentSchema = z.object({
  id: z.string().min(1),
  label: z.string(),
  description: z.string().nullish(),
  importance: z.string().nullish(),
  /** `launching`, `active`, `inactive`, `errored`. */
  status: z.string().nullish(),
  userProvidedId: z.string().nullish(),
  model: DeployedModelSchema.nullish(),
  modelPackage: z
    .object({ id: z.string(), name: z.string().nullish(), registeredModelId: z.string().nullish() })
    .nullish(),
  predictionEnvironment: z
    .object({ id: z.string(), name: z.string().nullish(), platform: z.string().nullish() })
    .nullish(),
  defaultPredictionServer: z.object({ id: z.string().nullish(), url: z.string().nullish() }).nullish(),
  createdAt: z.string().nullish(),
});
export type Deployment = z.infer<typeof DeploymentSchema>;

/** The 202 body of deployment creation: every real client reads `id` (§13.5). */
export const DeploymentCreatedSchema = z.object({ id: z.string().min(1) });

/** §13.7: `status` is passing, warning or failing; check names are uncertain (§13.15). */
export const ReplacementValidationSchema = z.object({
  status: z.string(),
  message: z.string().nullish(),
  checks: z.record(z.string(), z.object({ status: z.string(), message: z.string().nullish() })).nullish(),
});
export type ReplacementValidation = z.infer<typeof ReplacementValidationSchema>;

const SectionSchema = z.looseObject({ enabled: z.boolean().nullish() });

/** §13.8: every section optional and open; the defaults are uncertain (§13.15). */
export const DeploymentSettingsSchema = z.looseObject({
  associationId: z
    .looseObject({
      columnNames: z.array(z.string()).nullish(),
      requiredInPredictionRequests: z.boolean().nullish(),
    })
    .nullish(),
  challengerModels: SectionSchema.nullish(),
  predictionsDataCollection: SectionSchema.nullish(),
  targetDrift: SectionSchema.nullish(),
  featureDrift: SectionSchema.nullish(),
  segmentAnalysis: SectionSchema.extend({ attributes: z.array(z.string()).nullish() }).nullish(),
  predictionWarning: SectionSchema.nullish(),
  predictionIntervals: SectionSchema.extend({ percentiles: z.array(z.number()).nullish() }).nullish(),
});
export type DeploymentSettings = z.infer<typeof DeploymentSettingsSchema>;

/** §13.9 */
export const ChallengerSchema = z.object({
  id: z.string().min(1),
  name: z.string().nullish(),
  model: DeployedModelSchema.nullish(),
  modelPackage: z.object({ id: z.string(), name: z.string().nullish() }).nullish(),
  predictionEnvironment: z.object({ id: z.string(), name: z.string().nullish() }).nullish(),
});
export type Challenger = z.infer<typeof ChallengerSchema>;

/** §13.9 `customModelDeployments/` items. */
export const CustomModelDeploymentSchema = z.object({
  id: z.string().min(1),
  label: z.string().nullish(),
  status: z.string().nullish(),
  customModel: z.object({ id: z.string(), name: z.string().nullish() }),
  customModelVersion: z.object({ id: z.string(), label: z.string().nullish() }).nullish(),
});
export type CustomModelDeployment = z.infer<typeof CustomModelDeploymentSchema>;

const page = {
  offset: z.number().int().nonnegative().optional(),
  limit: z.number().int().nonnegative().optional(),
};

/** §13.2 create. */
export const CreateModelPackageSchema = z
  .object({
    customModelVersionId: z.string().min(1),
    registeredModelName: z.string().min(1).optional(),
    registeredModelId: z.string().min(1).optional(),
    name: z.string().min(1).optional(),
    tags: z.array(TagSchema).optional(),
    prompt: z.string().optional(),
  })
  .refine((v) => v.registeredModelName === undefined || v.registeredModelId === undefined, {
    message: "give registeredModelName or registeredModelId, not both",
  });
export type CreateModelPackageInput = z.input<typeof CreateModelPackageSchema>;

export const ListModelPackagesQuerySchema = z.object({ modelId: z.string().min(1).optional(), ...page });
export type ListModelPackagesQuery = z.infer<typeof ListModelPackagesQuerySchema>;

export const ListRegisteredModelsQuerySchema = z.object({
  search: z.string().optional(),
  isGlobal: z.boolean().optional(),
  ...page,
});
export type ListRegisteredModelsQuery = z.infer<typeof ListRegisteredModelsQuerySchema>;

export const UpdateRegisteredModelSchema = z.object({
  name: z.string().min(1).optional(),
  description: z.string().optional(),
  isGlobal: z.boolean().optional(),
});
export type UpdateRegisteredModelInput = z.infer<typeof UpdateRegisteredModelSchema>;

export const UpdateRegisteredModelVersionSchema = z.object({
  name: z.string().min(1).optional(),
  predictionThreshold: z.number().min(0).max(1).optional(),
});
export type UpdateRegisteredModelVersionInput = z.infer<typeof UpdateRegisteredModelVersionSchema>;

export const ListPredictionEnvironmentsQuerySchema = z.object({
  supportedModelFormats: z.string().optional(),
  search: z.string().optional(),
  ...page,
});
export type ListPredictionEnvironmentsQuery = z.infer<typeof ListPredictionEnvironmentsQuerySchema>;

export const ImportanceSchema = z.enum(["LOW", "MODERATE", "HIGH", "CRITICAL"]);

/** §13.5 */
export const CreateDeploymentSchema = z.object({
  modelPackageId: z.string().min(1),
  label: z.string().min(1),
  description: z.string().optional(),
  predictionEnvironmentId: z.string().min(1).optional(),
  importance: ImportanceSchema.optional(),
  userProvidedId: z.string().min(1).optional(),
  defaultPredictionServerId: z.string().min(1).optional(),
});
export type CreateDeploymentInput = z.infer<typeof CreateDeploymentSchema>;

/** §13.6 list; list filters are sent comma-separated (OR). */
const commaList = z
  .array(z.string().min(1))
  .transform((v) => v.join(","))
  .optional();
export const ListDeploymentsQuerySchema = z.object({
  search: z.string().optional(),
  orderBy: z.string().optional(),
  role: commaList,
  serviceHealth: commaList,
  modelHealth: commaList,
  accuracyHealth: commaList,
  executionEnvironmentType: commaList,
  importance: z
    .array(ImportanceSchema)
    .transform((v) => v.join(","))
    .optional(),
  ...page,
});
export type ListDeploymentsQuery = z.input<typeof ListDeploymentsQuerySchema>;

/** §13.6 PATCH: `description: null` clears it (CMA sends that). */
export const UpdateDeploymentSchema = z.object({
  label: z.string().min(1).optional(),
  description: z.string().nullable().optional(),
  importance: ImportanceSchema.optional(),
});
export type UpdateDeploymentInput = z.infer<typeof UpdateDeploymentSchema>;

/** §13.7/§13.14: a package (CMA, TF) or a custom model version (PY), never both. */
export const ModelChoiceSchema = z.union([
  z.strictObject({ modelPackageId: z.string().min(1) }),
  z.strictObject({ modelId: z.string().min(1) }),
]);
export type ModelChoice = z.infer<typeof ModelChoiceSchema>;

export const ReplacementReasonSchema = z.enum([
  "ACCURACY",
  "DATA_DRIFT",
  "ERRORS",
  "SCHEDULED_REFRESH",
  "SCORING_SPEED",
  "DEPRECATION",
  "OTHER",
]);
export type ReplacementReason = z.infer<typeof ReplacementReasonSchema>;

/** §13.8 PATCH: any subset of sections, each an object (the emulator stores other sections as given). */
export const UpdateSettingsSchema = z.record(z.string(), z.record(z.string(), z.unknown()));
export type UpdateSettingsInput = z.infer<typeof UpdateSettingsSchema>;

export const DeploymentStatusInputSchema = z.enum(["active", "inactive"]);

/** §13.9 */
export const CreateChallengerSchema = z.object({
  modelPackageId: z.string().min(1),
  name: z.string().min(1),
  predictionEnvironmentId: z.string().min(1).optional(),
});
export type CreateChallengerInput = z.infer<typeof CreateChallengerSchema>;
