import { z } from "zod";
import { NetworkEgressPolicySchema } from "../../client/wire/common.js";
import { TargetTypeSchema as WireTargetTypeSchema } from "../../client/wire/custom-model.js";
import { CheckModeSchema } from "../../client/wire/test.js";
import { MemorySchema } from "../../spec/schema/memory.js";
import {
  DatasetRefSchema,
  LabelSchema,
  manifestSchemas,
  RelativePathSchema,
  ResourceNameSchema,
} from "../../spec/schema/common.js";

/** The manifest kind (and the kind's slot in desired and live state). */
export const CUSTOM_MODEL = "CustomModel";

/** The target types a manifest may declare: a subset of the API's (API.md §1.2). */
export const TargetTypeSchema = WireTargetTypeSchema.extract([
  "Binary",
  "Regression",
  "Multiclass",
  "Anomaly",
  "Unstructured",
  "TextGeneration",
]);
export const TARGET_TYPES = TargetTypeSchema.options;
export type TargetType = z.infer<typeof TargetTypeSchema>;

export const EnvironmentRefSchema = z.union(
  [
    z.strictObject({ ref: ResourceNameSchema }),
    z.strictObject({ id: z.string().min(1), versionId: z.string().min(1).optional() }),
    z.strictObject({ name: z.string().min(1) }),
  ],
  {
    error:
      "environment must be {ref: <ExecutionEnvironment name>}, {id: <environment id>, versionId?: <version id>} or {name: <exact environment name>}",
  },
);
export type EnvironmentRef = z.infer<typeof EnvironmentRefSchema>;

export const SourceSchema = z.strictObject({
  path: RelativePathSchema.meta({ description: "Folder uploaded as the version's files" }),
  include: z.array(z.string().min(1)).optional().meta({ description: "Globs; default: every file" }),
  exclude: z.array(z.string().min(1)).optional(),
});

export const ResourcesSchema = z.strictObject({
  memory: MemorySchema.optional(),
  bundle: z
    .string()
    .min(1)
    .optional()
    .meta({ description: "A DataRobot resource bundle id (resourceBundleId), instead of memory" }),
  replicas: z.number().int().min(1).max(100).optional(),
  networkEgressPolicy: NetworkEgressPolicySchema.optional(),
});

const ENV_VAR = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A runtime parameter value: a literal, a DataRobot credential by name, or an environment variable. */
export const RuntimeValueSchema = z.union(
  [
    z.string(),
    z.number(),
    z.boolean(),
    z.strictObject({ credential: z.string().min(1) }),
    z.strictObject({
      env: z.string().regex(ENV_VAR, { error: "must be an environment variable name" }),
      sensitive: z.boolean().optional(),
    }),
  ],
  {
    error:
      "a runtime parameter value must be a string, number, boolean, {credential: <name>} or {env: <VAR>, sensitive?: true}",
  },
);
export type RuntimeValue = z.infer<typeof RuntimeValueSchema>;

export { CheckModeSchema };
export type CheckMode = z.infer<typeof CheckModeSchema>;

const PerformanceCheckSchema = z.strictObject({
  mode: CheckModeSchema,
  maxResponseTime: z.number().positive().optional(),
  maxExecutionTime: z.number().positive().optional(),
  numParallelUsers: z.number().int().min(1).optional(),
});

const StabilityCheckSchema = z.strictObject({
  mode: CheckModeSchema,
  numPredictions: z.number().int().min(1).optional(),
  passingRate: z.number().min(0).max(1).optional(),
  numParallelUsers: z.number().int().min(1).optional(),
  minPayloadSize: z.number().int().min(1).optional(),
  maxPayloadSize: z.number().int().min(1).optional(),
});

const PredictionVerificationCheckSchema = z.strictObject({
  mode: CheckModeSchema,
  dataset: DatasetRefSchema,
  predictionsColumn: z.string().min(1),
  matchingRate: z.number().min(0).max(1).optional(),
  comparisonPrecision: z.number().int().min(0).optional(),
});

export const ChecksSchema = z.strictObject({
  errorCheck: CheckModeSchema.optional(),
  longRunningService: CheckModeSchema.optional(),
  nullValueImputation: CheckModeSchema.optional(),
  sideEffects: CheckModeSchema.optional(),
  performance: PerformanceCheckSchema.optional(),
  stability: StabilityCheckSchema.optional(),
  predictionVerification: PredictionVerificationCheckSchema.optional(),
});

/** DataRobot model tags as a map (API.md §1.2 sends them as `[{name, value}]`). */
export const TagsSchema = z.record(z.string().min(1), z.string());

export const TestSchema = z.strictObject({
  dataset: DatasetRefSchema.optional().meta({ description: "Required unless targetType is Unstructured" }),
  checks: ChecksSchema.optional(),
});

const specShape = {
  displayName: z.string().min(1).max(255).optional().meta({ description: "Defaults to metadata.name" }),
  description: z.string().max(10000).optional(),
  targetType: TargetTypeSchema,
  targetName: z.string().min(1).optional(),
  positiveClassLabel: LabelSchema.optional(),
  negativeClassLabel: LabelSchema.optional(),
  predictionThreshold: z.number().min(0).max(1).optional(),
  classLabels: z.array(LabelSchema).optional(),
  classLabelsFile: RelativePathSchema.optional().meta({ description: "One label per line" }),
  language: z.string().min(1).optional(),
  environment: EnvironmentRefSchema,
  source: SourceSchema,
  resources: ResourcesSchema.optional(),
  tags: TagsSchema.optional().meta({ description: "DataRobot model tags, name -> value" }),
  runtimeParameters: z
    .record(
      z.string().regex(ENV_VAR, {
        error: "must be a runtime parameter fieldName: letters, digits and _, not starting with a digit",
      }),
      RuntimeValueSchema,
    )
    .optional(),
  trainingData: z
    .strictObject({ dataset: DatasetRefSchema, partitionColumn: z.string().min(1).optional() })
    .optional(),
  holdoutData: z.strictObject({ dataset: DatasetRefSchema }).optional(),
  test: TestSchema.optional().meta({
    description:
      "Optional: without it no test runs, no gate applies and the plan lists the model as untested",
  }),
  featureImpact: z.boolean().optional().meta({
    description: "Compute feature impact for each new version with training data, before it is registered",
  }),
};

/** Fields a `lifecycle.ignoreChanges` entry may name: everything but what can never change. */
export const IGNORABLE_FIELDS = Object.keys(specShape).filter((k) => k !== "targetType") as Exclude<
  keyof typeof specShape,
  "targetType"
>[];

export const LifecycleSchema = z.strictObject({
  protected: z.boolean().optional().meta({ description: "Never deleted by --prune" }),
  ignoreChanges: z.array(z.enum(IGNORABLE_FIELDS)).optional(),
});

export const CustomModelSpecSchema = z.strictObject({ ...specShape, lifecycle: LifecycleSchema.optional() });
export type CustomModelSpec = z.infer<typeof CustomModelSpecSchema>;

export const { schema: CustomModelManifestSchema, partialSchema: PartialCustomModelManifestSchema } =
  manifestSchemas(CUSTOM_MODEL, CustomModelSpecSchema);
export type CustomModelManifest = z.infer<typeof CustomModelManifestSchema>;
export type PartialCustomModelManifest = z.infer<typeof PartialCustomModelManifestSchema>;
