import { z } from "zod";
import { RuntimeParameterTypeSchema } from "../../client/wire/version.js";
import { CheckModeSchema } from "../../client/wire/test.js";
import { actionSchema, PendingIdSchema } from "../../reconcile/action.js";
import { TrailerSchema } from "../../reconcile/trailer.js";
import { DigestSchema, KeyedDigestSchema, Sha256HexSchema } from "../../spec/digest.js";
import { ScalarSchema, TestParametersSchema } from "./desired.js";
import { ModelFieldsSchema, VersionResourcesSchema } from "./fields.js";

/** The custom model kind's actions, as the plan file holds them. */

/** Model-level fields as sent (API.md §1.2), description with its trailer; tags as a map (apply sends a list). */
export const ModelBodySchema = ModelFieldsSchema.extend({
  targetName: z.string(),
  isTrainingDataForVersionsPermanentlyEnabled: z.literal(true),
}).partial();

export const CreateModelActionSchema = actionSchema("createModel", {
  /** POST customModels/ body. A 422 on `userProvidedId` means it exists: fetch it and continue. */
  body: ModelBodySchema.extend({
    name: z.string().min(1),
    description: z.string(),
    targetType: z.string(),
    customModelType: z.literal("inference"),
    userProvidedId: z.string(),
  }),
});

export const UpdateModelActionSchema = actionSchema("updateModel", {
  modelId: z.string(),
  /** PATCH customModels/{id}/ body: changed fields, and the description whenever the trailer moves. */
  patch: ModelBodySchema,
});

export const RuntimeParameterValueSchema = z.discriminatedUnion("source", [
  z.object({
    source: z.literal("value"),
    fieldName: z.string(),
    type: RuntimeParameterTypeSchema,
    value: ScalarSchema,
  }),
  /** Apply reads `envVar`, checks its keyed digest equals `valueHash` (else the plan is stale) and sends it. */
  z.object({
    source: z.literal("sensitive"),
    fieldName: z.string(),
    type: RuntimeParameterTypeSchema,
    envVar: z.string(),
    valueHash: KeyedDigestSchema,
  }),
  /** A live override the manifest no longer sets: sent as `value: null`, so the default applies. */
  z.object({ source: z.literal("default"), fieldName: z.string(), type: RuntimeParameterTypeSchema }),
]);
export type RuntimeParameterValue = z.infer<typeof RuntimeParameterValueSchema>;

export const VERSION_SPEC_FIELDS = [
  "files",
  "environment",
  "resources",
  "runtimeParameterValues",
  "trainingData",
  "holdoutData",
] as const;

/**
 * The one desired-version shape: the version-level fields drgitops manages, resolved. null = not
 * managed (ignored by `lifecycle.ignoreChanges`): not sent (inherited from the latest version) and left
 * out of the fingerprint. The fingerprint is computed from this object alone (`versionSpecFingerprint`).
 */
export const VersionSpecSchema = z.object({
  files: z.array(z.object({ path: z.string(), sha256: Sha256HexSchema })).nullable(),
  environment: z
    .union([
      z.strictObject({ id: z.string(), versionId: z.string() }),
      /** Id and version come from a createEnvironment / buildEnvironmentVersion of this plan. */
      z.strictObject({ fromAction: z.string() }),
    ])
    .nullable(),
  resources: VersionResourcesSchema.nullable(),
  runtimeParameterValues: z.array(RuntimeParameterValueSchema).nullable(),
  trainingData: z.object({ dataset: PendingIdSchema, partitionColumn: z.string().optional() }).nullable(),
  holdoutData: z.object({ dataset: PendingIdSchema }).nullable(),
  /**
   * Fields under `lifecycle.ignoreChanges`: always out of the fingerprint, so adding or changing them
   * never makes a version; still sent when the model gets its first version.
   */
  unmanaged: z.array(z.enum(VERSION_SPEC_FIELDS)),
});
export type VersionSpec = z.infer<typeof VersionSpecSchema>;
export type VersionSpecField = (typeof VERSION_SPEC_FIELDS)[number];

export const CreateVersionActionSchema = actionSchema("createVersion", {
  model: PendingIdSchema,
  /** fromPrevious: PATCH versions/ on the latest version; clean: POST versions/ with every file. */
  mode: z.enum(["fromPrevious", "clean"]),
  /** `localPath`: the file relative to the project root. */
  uploads: z.array(
    z.object({ path: z.string(), localPath: z.string(), sha256: Sha256HexSchema, size: z.number().int() }),
  ),
  /** Live items to drop (`filesToDelete`); a modified file is overwritten by path, not listed here. */
  deletions: z.array(z.object({ itemId: z.string(), path: z.string() })),
  /** Set when the latest version is frozen: a minor version would be refused (API.md §2.5). */
  isMajorUpdate: z.boolean(),
  version: VersionSpecSchema,
  /** The model must have isTrainingDataForVersionsPermanentlyEnabled switched on first (API.md §6.2). */
  enableTrainingDataForVersions: z.boolean(),
  /**
   * Fingerprint to record in the new version's trailer; null ("known after apply") when it depends
   * on an id this plan creates: apply completes it with `versionSpecFingerprint` once ids are known.
   */
  fingerprint: DigestSchema.nullable(),
});

export const AnnotateVersionActionSchema = actionSchema("annotateVersion", {
  modelId: z.string(),
  versionId: z.string(),
  /** The description without its old trailer; apply appends `trailer` (adding its commit). */
  body: z.string(),
  trailer: TrailerSchema,
});

export const BuildDependenciesActionSchema = actionSchema("buildDependencies", {
  model: PendingIdSchema,
  /** The version: created by `fromAction` (a createVersion) or existing. */
  version: PendingIdSchema,
});

export const RunTestActionSchema = actionSchema("runTest", {
  model: PendingIdSchema,
  version: PendingIdSchema,
  dataset: PendingIdSchema.nullable(),
  configuration: z.record(z.string(), CheckModeSchema),
  parameters: TestParametersSchema,
  /** predictionVerificationCheck's dataset, sent as `parameters.predictionVerificationCheck.datasetId`. */
  predictionDataset: PendingIdSchema.nullable(),
  /** Recorded with the outcome in the version trailer (`Drgitops-Test: <outcome> <digest>`). */
  configDigest: DigestSchema,
});

export const DeleteModelActionSchema = actionSchema("deleteModel", { modelId: z.string() });

/** Feature impact of a new version with training data (API.md §2.11), after its test, before registration. */
export const FeatureImpactActionSchema = actionSchema("featureImpact", {
  model: PendingIdSchema,
  version: PendingIdSchema,
});

export const customModelActionSchemas = [
  CreateModelActionSchema,
  UpdateModelActionSchema,
  CreateVersionActionSchema,
  AnnotateVersionActionSchema,
  BuildDependenciesActionSchema,
  RunTestActionSchema,
  DeleteModelActionSchema,
  FeatureImpactActionSchema,
] as const;

export type CreateModelAction = z.infer<typeof CreateModelActionSchema>;
export type UpdateModelAction = z.infer<typeof UpdateModelActionSchema>;
export type CreateVersionAction = z.infer<typeof CreateVersionActionSchema>;
export type AnnotateVersionAction = z.infer<typeof AnnotateVersionActionSchema>;
export type BuildDependenciesAction = z.infer<typeof BuildDependenciesActionSchema>;
export type RunTestAction = z.infer<typeof RunTestActionSchema>;
export type DeleteModelAction = z.infer<typeof DeleteModelActionSchema>;
export type FeatureImpactAction = z.infer<typeof FeatureImpactActionSchema>;
export type CustomModelAction =
  | CreateModelAction
  | UpdateModelAction
  | CreateVersionAction
  | AnnotateVersionAction
  | BuildDependenciesAction
  | RunTestAction
  | DeleteModelAction
  | FeatureImpactAction;
