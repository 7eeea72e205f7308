import { z } from "zod";
import { ImportanceSchema, ReplacementReasonSchema } from "../../client/wire/deployment.js";
import { actionSchema, PendingIdSchema } from "../../reconcile/action.js";
import { TrailerSchema } from "../../reconcile/trailer.js";

/** The deployment kind's actions, as the plan file holds them. */

/**
 * The package a deployment is to serve: a known one; the registered version a registerVersion of
 * this plan makes (`packageId`); or any package of a custom model version, made (unregistered) at
 * apply time when the version has none (`model: {ref}` deployments).
 */
export const PackageRefSchema = z.union([
  z.strictObject({ id: z.string().min(1) }),
  z.strictObject({ fromAction: z.string().min(1) }),
  z.strictObject({ version: PendingIdSchema }),
]);
export type PackageRef = z.infer<typeof PackageRefSchema>;

/** What goes live, for the plan's "Goes live" section: model version -> registered version -> deployment. */
export const ServesSchema = z.object({
  modelKey: z.string().nullable(),
  /** The custom model version's label, when known. */
  modelVersion: z.string().nullable(),
  /** The version is created by this plan. */
  newVersion: z.boolean(),
  registeredModelKey: z.string().nullable(),
  registeredVersion: z.number().int().nullable(),
  /** The registered version is made by this plan. */
  newRegisteredVersion: z.boolean(),
  /** `pending`: goes live only if this plan's test passes; `unmanaged`: a model given by id. */
  gate: z.enum(["passed", "untested", "pending", "unmanaged"]),
});
export type Serves = z.infer<typeof ServesSchema>;

/** PATCH settings/ sections (API.md §13.8); empty: none declared. */
const SettingsPatchSchema = z.record(z.string(), z.record(z.string(), z.unknown()));

export const CreateDeploymentActionSchema = actionSchema("createDeployment", {
  package: PackageRefSchema,
  /** POST deployments/fromModelPackage/ fields; apply appends the trailer to the description. */
  label: z.string().min(1),
  description: z.string(),
  importance: ImportanceSchema.nullable(),
  predictionEnvironmentId: z.string().nullable(),
  userProvidedId: z.string(),
  settings: SettingsPatchSchema,
  /** Key, protection and the applied digest; apply adds what it serves once the package is known. */
  trailer: TrailerSchema,
  serves: ServesSchema,
});

export const ReplaceDeploymentModelActionSchema = actionSchema("replaceDeploymentModel", {
  deploymentId: z.string(),
  package: PackageRefSchema,
  reason: ReplacementReasonSchema,
  serves: ServesSchema,
  current: z.object({
    packageId: z.string().nullable(),
    modelVersion: z.string().nullable(),
    registeredVersion: z.number().int().nullable(),
  }),
  importance: ImportanceSchema,
});

export const UpdateDeploymentActionSchema = actionSchema("updateDeployment", {
  deploymentId: z.string(),
  /** PATCH deployments/{id}/ fields that differ; the description (with `trailer`) is always written, last. */
  patch: z.object({ label: z.string().min(1).optional(), importance: ImportanceSchema.optional() }),
  description: z.string(),
  settings: SettingsPatchSchema,
  trailer: TrailerSchema,
});

export const DeleteDeploymentActionSchema = actionSchema("deleteDeployment", { deploymentId: z.string() });

export const deploymentActionSchemas = [
  CreateDeploymentActionSchema,
  ReplaceDeploymentModelActionSchema,
  UpdateDeploymentActionSchema,
  DeleteDeploymentActionSchema,
] as const;

export type CreateDeploymentAction = z.infer<typeof CreateDeploymentActionSchema>;
export type ReplaceDeploymentModelAction = z.infer<typeof ReplaceDeploymentModelActionSchema>;
export type UpdateDeploymentAction = z.infer<typeof UpdateDeploymentActionSchema>;
export type DeleteDeploymentAction = z.infer<typeof DeleteDeploymentActionSchema>;
export type DeploymentAction =
  CreateDeploymentAction | ReplaceDeploymentModelAction | UpdateDeploymentAction | DeleteDeploymentAction;
