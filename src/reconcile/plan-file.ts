import { z } from "zod";
import { DrgitopsError } from "../errors.js";
import { NetworkEgressPolicySchema, ScalarSchema, Sha256HexSchema, TestParametersSchema } from "./desired.js";
import { DigestSchema, TestOutcomeSchema, TrailerSchema } from "./trailer.js";

/**
 * The plan: serialisable data (`plan --out`, `apply --plan`), formatVersion 1. Everything apply needs
 * is here except secrets: a sensitive runtime value is named by its variable and hash, and apply
 * re-reads it. Field changes are for display; the typed payloads are what apply sends.
 */

/** One field's change, for display. Sensitive values are never held: only the fact they changed. */
export const FieldChangeSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("value"),
    path: z.string(),
    /** null: absent/unset. */
    before: z.unknown(),
    after: z.unknown(),
  }),
  z.object({ kind: z.literal("sensitive"), path: z.string() }),
  z.object({
    kind: z.literal("file"),
    path: z.string(),
    change: z.enum(["added", "modified", "removed"]),
    before: z.object({ sha256: Sha256HexSchema, size: z.number().int() }).nullable(),
    after: z.object({ sha256: Sha256HexSchema, size: z.number().int(), absPath: z.string() }).nullable(),
  }),
]);
export type FieldChange = z.infer<typeof FieldChangeSchema>;

/** The live state an action was planned against; apply refuses the action when it moved (exit 5). */
export const ExpectedSchema = z.object({
  /** Model or environment id. */
  id: z.string(),
  latestVersionId: z.string().nullable(),
  /** Model `updated`; null for environments. */
  updated: z.string().nullable(),
});
export type Expected = z.infer<typeof ExpectedSchema>;

/** An id known now, or produced by an earlier action of this plan (its id in `fromAction`). */
export const PendingIdSchema = z.union([
  z.strictObject({ id: z.string().min(1) }),
  z.strictObject({ fromAction: z.string().min(1) }),
]);
export type PendingId = z.infer<typeof PendingIdSchema>;

const base = {
  id: z.string().min(1),
  key: z.string().min(1),
  reasons: z.array(z.string()),
  changes: z.array(FieldChangeSchema),
  dependsOn: z.array(z.string()),
  expected: ExpectedSchema.nullable(),
};

export const EnvironmentBodySchema = z.object({
  name: z.string().min(1),
  description: z.string(),
  programmingLanguage: z.string().min(1),
  useCases: z.array(z.string()),
});

export const CreateEnvironmentActionSchema = z.object({
  type: z.literal("createEnvironment"),
  ...base,
  /** POST executionEnvironments/ body; the description already carries the trailer. */
  body: EnvironmentBodySchema,
});

export const UpdateEnvironmentActionSchema = z.object({
  type: z.literal("updateEnvironment"),
  ...base,
  environmentId: z.string(),
  /** PATCH executionEnvironments/{id}/ body: only fields that differ. */
  patch: EnvironmentBodySchema.omit({ programmingLanguage: true }).partial(),
});

export const BuildEnvironmentVersionActionSchema = z.object({
  type: z.literal("buildEnvironmentVersion"),
  ...base,
  environment: PendingIdSchema,
  dockerContextDir: z.string(),
  contextDigest: DigestSchema,
  /** Version description: the trailer whose fingerprint is the context digest (dedup by content). */
  description: z.string(),
});

export const UploadDatasetActionSchema = z.object({
  type: z.literal("uploadDataset"),
  ...base,
  absPath: z.string(),
  sha256: Sha256HexSchema,
  size: z.number().int().nonnegative(),
  /** Part filename, hence catalog name; apply first looks for a dataset of this name. */
  catalogName: z.string().min(1),
});

/** Model-level fields as sent (API.md §1.2), description with its trailer. */
export const ModelBodySchema = z
  .object({
    name: z.string().min(1),
    description: z.string(),
    targetName: z.string(),
    positiveClassLabel: z.string(),
    negativeClassLabel: z.string(),
    predictionThreshold: z.number(),
    classLabels: z.array(z.string()),
    language: z.string(),
    isTrainingDataForVersionsPermanentlyEnabled: z.literal(true),
  })
  .partial();

export const CreateModelActionSchema = z.object({
  type: z.literal("createModel"),
  ...base,
  /** POST customModels/ body. A 422 on `userProvidedId` means it exists: fetch it and continue. */
  body: ModelBodySchema.extend({
    name: z.string().min(1),
    description: z.string(),
    targetType: z.string(),
    customModelType: z.literal("inference"),
    userProvidedId: z.string(),
  }),
});

export const UpdateModelActionSchema = z.object({
  type: z.literal("updateModel"),
  ...base,
  modelId: z.string(),
  /** PATCH customModels/{id}/ body: changed fields, and the description whenever the trailer moves. */
  patch: ModelBodySchema,
});

export const RuntimeParameterValueSchema = z.discriminatedUnion("source", [
  z.object({ source: z.literal("value"), fieldName: z.string(), type: z.string(), value: ScalarSchema }),
  /** Apply reads `envVar`, checks its sha256 equals `valueHash` (else the plan is stale) and sends it. */
  z.object({
    source: z.literal("sensitive"),
    fieldName: z.string(),
    type: z.string(),
    envVar: z.string(),
    valueHash: DigestSchema,
  }),
  /** A live override the manifest no longer sets: sent as `value: null`, so the default applies. */
  z.object({ source: z.literal("default"), fieldName: z.string(), type: z.string() }),
]);
export type RuntimeParameterValue = z.infer<typeof RuntimeParameterValueSchema>;

/**
 * The version-level fields drgitops manages, resolved. null = not managed (ignored by
 * `lifecycle.ignoreChanges` or not declared): not sent (inherited from the latest version) and left
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
  resources: z
    .object({
      maximumMemory: z.number().int().positive().optional(),
      replicas: z.number().int().min(1).optional(),
      networkEgressPolicy: NetworkEgressPolicySchema.optional(),
    })
    .nullable(),
  runtimeParameterValues: z.array(RuntimeParameterValueSchema).nullable(),
  trainingData: z.object({ dataset: PendingIdSchema, partitionColumn: z.string().optional() }).nullable(),
  holdoutData: z.object({ dataset: PendingIdSchema }).nullable(),
  /**
   * Fields under `lifecycle.ignoreChanges`: always out of the fingerprint, so adding or changing them
   * never makes a version; still sent when the model gets its first version.
   */
  unmanaged: z.array(
    z.enum(["files", "environment", "resources", "runtimeParameterValues", "trainingData", "holdoutData"]),
  ),
});
export type VersionSpec = z.infer<typeof VersionSpecSchema>;
export type VersionSpecField = VersionSpec["unmanaged"][number];

export const CreateVersionActionSchema = z.object({
  type: z.literal("createVersion"),
  ...base,
  model: PendingIdSchema,
  /** fromPrevious: PATCH versions/ on the latest version; clean: POST versions/ with every file. */
  mode: z.enum(["fromPrevious", "clean"]),
  uploads: z.array(
    z.object({ path: z.string(), absPath: z.string(), sha256: Sha256HexSchema, size: z.number().int() }),
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

export const AnnotateVersionActionSchema = z.object({
  type: z.literal("annotateVersion"),
  ...base,
  modelId: z.string(),
  versionId: z.string(),
  /** The description without its old trailer; apply appends `trailer` (adding its commit). */
  body: z.string(),
  trailer: TrailerSchema,
});

export const BuildDependenciesActionSchema = z.object({
  type: z.literal("buildDependencies"),
  ...base,
  model: PendingIdSchema,
  /** The version: created by `fromAction` (a createVersion) or existing. */
  version: PendingIdSchema,
});

export const RunTestActionSchema = z.object({
  type: z.literal("runTest"),
  ...base,
  model: PendingIdSchema,
  version: PendingIdSchema,
  dataset: PendingIdSchema.nullable(),
  configuration: z.record(z.string(), z.enum(["fail", "warn", "skip"])),
  parameters: TestParametersSchema,
  /** predictionVerificationCheck's dataset, sent as `parameters.predictionVerificationCheck.datasetId`. */
  predictionDataset: PendingIdSchema.nullable(),
  /** Recorded with the outcome in the version trailer (`Drgitops-Test: <outcome> <digest>`). */
  configDigest: DigestSchema,
});

export const DeleteModelActionSchema = z.object({
  type: z.literal("deleteModel"),
  ...base,
  modelId: z.string(),
});

export const ActionSchema = z.discriminatedUnion("type", [
  CreateEnvironmentActionSchema,
  UpdateEnvironmentActionSchema,
  BuildEnvironmentVersionActionSchema,
  UploadDatasetActionSchema,
  CreateModelActionSchema,
  UpdateModelActionSchema,
  CreateVersionActionSchema,
  AnnotateVersionActionSchema,
  BuildDependenciesActionSchema,
  RunTestActionSchema,
  DeleteModelActionSchema,
]);
export type Action = z.infer<typeof ActionSchema>;
export type ActionType = Action["type"];
export type ActionOf<T extends ActionType> = Extract<Action, { type: T }>;
export type CreateVersionAction = ActionOf<"createVersion">;

export const ACTION_TYPES = ActionSchema.options.map((o) => o.shape.type.value);

/** A change made outside drgitops: reported apart; the plan's actions still restore the manifest. */
export const DriftItemSchema = z.object({
  key: z.string(),
  /** What moved: the model's fields, its latest version, an environment. */
  subject: z.enum(["model", "version", "environment"]),
  summary: z.string(),
  changes: z.array(FieldChangeSchema),
});
export type DriftItem = z.infer<typeof DriftItemSchema>;

/** A latest test that failed for the current configuration: apply exits 7 until something changes. */
export const GateItemSchema = z.object({
  key: z.string(),
  modelId: z.string(),
  versionId: z.string(),
  versionLabel: z.string(),
  testId: z.string().nullable(),
  outcome: TestOutcomeSchema,
  message: z.string(),
});
export type GateItem = z.infer<typeof GateItemSchema>;

/** Something the plan will not do. `blocking`: apply must refuse the whole plan (e.g. too many deletions). */
export const RefusalSchema = z.object({
  key: z.string().nullable(),
  reason: z.string(),
  blocking: z.boolean(),
});
export type Refusal = z.infer<typeof RefusalSchema>;

export const PlanOptionsSchema = z.object({
  prune: z.boolean(),
  maxDeletions: z.number().int().nonnegative(),
  targets: z.array(z.string()),
  selector: z.record(z.string(), z.string()),
  skipTests: z.boolean(),
});
export type PlanOptions = z.infer<typeof PlanOptionsSchema>;

export const PlanSummarySchema = z.object({
  actions: z.record(z.string(), z.number().int()),
  total: z.number().int(),
  drift: z.number().int(),
  unchanged: z.number().int(),
  gate: z.number().int(),
  refusals: z.number().int(),
});
export type PlanSummary = z.infer<typeof PlanSummarySchema>;

export const PlanSchema = z.object({
  formatVersion: z.literal(1),
  createdAt: z.string(),
  namespace: z.string(),
  options: PlanOptionsSchema,
  actions: z.array(ActionSchema),
  drift: z.array(DriftItemSchema),
  /** Keys with nothing to do. */
  unchanged: z.array(z.string()),
  gate: z.array(GateItemSchema),
  refusals: z.array(RefusalSchema),
  summary: PlanSummarySchema,
});
export type Plan = z.infer<typeof PlanSchema>;

/** A plan is empty when applying it would change nothing (the gate and refusals are not changes). */
export function planHasChanges(plan: Plan): boolean {
  return plan.actions.length > 0;
}

/** Parses a saved plan; the error names the first offending field so a hand-edited file is fixable. */
export function parsePlan(json: unknown, file: string): Plan {
  const parsed = PlanSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue ? issue.path.join(".") || "(root)" : "(root)";
  throw new PlanFileError(
    `${file}: not a drgitops plan (formatVersion 1): ${where}: ${issue?.message ?? "invalid"}; re-create it with \`drgitops plan --out\``,
  );
}

export class PlanFileError extends DrgitopsError {
  constructor(message: string) {
    super("plan-file-invalid", message);
  }
}
