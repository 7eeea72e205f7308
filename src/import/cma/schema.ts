import { z } from "zod";

/**
 * custom-models-action's definition files (its `src/schema_validator.py`), in zod: every key CMA
 * accepts, so the import can say which ones it does not carry over, and every key it refuses refused
 * here too. Values come from a PyYAML-compatible parse (read.ts): numbers are plain JS numbers, and
 * read.ts separately checks the two places where CMA wants a Python float instead of an int.
 */

/** `bson.ObjectId.is_valid` on a string: 24 hex digits. */
const ObjectIdSchema = z
  .string()
  .regex(/^[0-9a-fA-F]{24}$/, { error: "must be a 24-digit hex DataRobot id" });
/** `And(str, len)`. */
const NonEmptySchema = z.string().min(1);
const intIn = (min: number, max?: number) => {
  const int = z.number().int().min(min);
  return max === undefined ? int : int.max(max);
};

/** CMA's target types as written in its YAML (not DataRobot's: see DR_TARGET_TYPE). */
export const CMA_TARGET_TYPES = [
  "Binary",
  "Regression",
  "Multiclass",
  "Anomaly Detection",
  "TextGeneration",
  "Unstructured (Binary)",
  "Unstructured (Regression)",
  "Unstructured (Multiclass)",
  "Unstructured (Other)",
] as const;
export type CmaTargetType = (typeof CMA_TARGET_TYPES)[number];

/** CMA's `DrApiTargetType.MAPPING`: the `targetType` it sends DataRobot. */
export const DR_TARGET_TYPE: Record<CmaTargetType, string> = {
  Binary: "Binary",
  Regression: "Regression",
  Multiclass: "Multiclass",
  "Anomaly Detection": "Anomaly",
  TextGeneration: "TextGeneration",
  "Unstructured (Binary)": "Binary",
  "Unstructured (Regression)": "Regression",
  "Unstructured (Multiclass)": "Multiclass",
  "Unstructured (Other)": "Unstructured",
};

export const isCmaUnstructured = (t: CmaTargetType): boolean => t.startsWith("Unstructured");
export const isCmaBinary = (t: CmaTargetType): boolean => t === "Binary" || t === "Unstructured (Binary)";
export const isCmaRegression = (t: CmaTargetType): boolean =>
  t === "Regression" || t === "Unstructured (Regression)";
export const isCmaMulticlass = (t: CmaTargetType): boolean =>
  t === "Multiclass" || t === "Unstructured (Multiclass)";

/** `MemoryConvertor.to_bytes`: an int is bytes; a string is digits and an optional k8s unit. */
const MEMORY_UNITS: Record<string, number> = {
  m: 0.001,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const MEMORY_PATTERN = /^([0-9]+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

export interface CmaMemory {
  /** As written in the YAML. */
  written: string | number;
  /** What CMA sends as `maximumMemory` (may be fractional or huge: the import judges it). */
  bytes: number;
}

const MemorySchema = z.union([z.number().int(), z.string()]).transform((value, ctx): CmaMemory => {
  if (typeof value === "number") return { written: value, bytes: value };
  const match = MEMORY_PATTERN.exec(value);
  if (!match?.[1]) {
    ctx.addIssue({ code: "custom", message: `"${value}" is not a memory value CMA accepts (e.g. 256Mi)` });
    return z.NEVER;
  }
  return { written: value, bytes: Number(match[1]) * (MEMORY_UNITS[match[2] ?? ""] ?? 1) };
});

const CheckToggle = { enabled: z.boolean(), block_deployment_if_fails: z.boolean() };

const ChecksSchema = z.strictObject({
  null_value_imputation: z.strictObject(CheckToggle).optional(),
  side_effects: z.strictObject(CheckToggle).optional(),
  prediction_verification: z
    .strictObject({
      ...CheckToggle,
      output_dataset_id: ObjectIdSchema,
      predictions_column: NonEmptySchema,
      match_threshold: z.number().min(0).max(1).optional(),
      passing_match_rate: intIn(0, 100).optional(),
    })
    .optional(),
  performance: z
    .strictObject({
      ...CheckToggle,
      maximum_response_time: intIn(1, 1800).optional(),
      max_execution_time: intIn(1, 1800).optional(),
      number_of_parallel_users: intIn(1, 4).optional(),
    })
    .optional(),
  stability: z
    .strictObject({
      ...CheckToggle,
      total_prediction_requests: intIn(1).optional(),
      passing_rate: intIn(0, 100).optional(),
      number_of_parallel_users: intIn(1, 4).optional(),
      minimum_payload_size: intIn(1).optional(),
      maximum_payload_size: intIn(1).optional(),
    })
    .optional(),
});
export type CmaChecks = z.infer<typeof ChecksSchema>;
export type CmaCheckName = keyof CmaChecks;

export const MODEL_REPLACEMENT_REASONS = [
  "ACCURACY",
  "DATA_DRIFT",
  "ERRORS",
  "SCHEDULED_REFRESH",
  "SCORING_SPEED",
  "DEPRECATION",
  "OTHER",
] as const;

/** Keys whose combination CMA restricts (its `_validate_mutual_exclusive_keys`). */
const TRAINING_KEYS = ["partitioning_column", "training_dataset_id", "holdout_dataset_id"] as const;

const ModelObjectSchema = z.strictObject({
  /** Namespaced by CMA (`Namespace.namespaced`) into the model's `userProvidedId`. */
  user_provided_model_id: NonEmptySchema,
  target_type: z.enum(CMA_TARGET_TYPES),
  settings: z.strictObject({
    name: NonEmptySchema,
    description: NonEmptySchema.optional(),
    language: NonEmptySchema.optional(),
    target_name: NonEmptySchema,
    prediction_threshold: z.number().min(0).max(1).optional(),
    positive_class_label: NonEmptySchema.optional(),
    negative_class_label: NonEmptySchema.optional(),
    class_labels: z.array(z.unknown()).optional(),
    partitioning_column: NonEmptySchema.optional(),
    training_dataset_id: ObjectIdSchema.optional(),
    holdout_dataset_id: ObjectIdSchema.optional(),
  }),
  version: z.strictObject({
    model_environment_id: ObjectIdSchema,
    model_environment_version_id: ObjectIdSchema.optional(),
    /** CMA's default: [] (every file under the model's root). */
    include_glob_pattern: z.array(NonEmptySchema).optional(),
    exclude_glob_pattern: z.array(NonEmptySchema).optional(),
    memory: MemorySchema.optional(),
    replicas: intIn(1).optional(),
    egress_network_policy: z.enum(["NONE", "PUBLIC"]).optional(),
    partitioning_column: NonEmptySchema.optional(),
    training_dataset_id: ObjectIdSchema.optional(),
    holdout_dataset_id: ObjectIdSchema.optional(),
    /** CMA's default: OTHER. Used when a deployment's model is replaced. */
    model_replacement_reason: z.enum(MODEL_REPLACEMENT_REASONS).optional(),
  }),
  test: z
    .strictObject({
      /** CMA's default: false. */
      skip: z.boolean().optional(),
      test_data_id: ObjectIdSchema.optional(),
      memory: MemorySchema.optional(),
      checks: ChecksSchema.optional(),
    })
    .optional(),
  model_registry: z
    .strictObject({
      model_name: NonEmptySchema.optional(),
      model_description: NonEmptySchema.optional(),
      global: z.boolean().optional(),
    })
    .optional(),
});

/** One model definition with CMA's cross-field rules (`_validate_single_transformed`). */
export const CmaModelSchema = ModelObjectSchema.superRefine((m, ctx) => {
  const settings = m.settings as Record<string, unknown>;
  const version = m.version as Record<string, unknown>;
  const has = (section: Record<string, unknown>, key: string): boolean => section[key] !== undefined;
  for (const label of ["positive_class_label", "negative_class_label"]) {
    const keys = ["prediction_threshold", label, "class_labels"].filter((k) => has(settings, k));
    if (keys.length > 1)
      ctx.addIssue({
        code: "custom",
        path: ["settings", keys[1]!],
        message: `CMA allows only one of ${keys.join(", ")} in settings`,
      });
  }
  for (const [name, section] of [
    ["settings", settings],
    ["version", version],
  ] as const) {
    if (has(section, "partitioning_column") && has(section, "holdout_dataset_id"))
      ctx.addIssue({
        code: "custom",
        path: [name, "holdout_dataset_id"],
        message: `CMA allows only one of partitioning_column and holdout_dataset_id in ${name}`,
      });
  }
  const inSettings = TRAINING_KEYS.filter((k) => has(settings, k));
  const inVersion = TRAINING_KEYS.filter((k) => has(version, k));
  if (inSettings.length > 0 && inVersion.length > 0)
    ctx.addIssue({
      code: "custom",
      path: ["version", inVersion[0]!],
      message: `CMA takes ${TRAINING_KEYS.join(", ")} either under settings or under version, not both`,
    });
  if (isCmaBinary(m.target_type)) {
    for (const label of ["positive_class_label", "negative_class_label"] as const)
      if (!has(settings, label))
        ctx.addIssue({
          code: "custom",
          path: ["settings", label],
          message: `CMA requires both positive_class_label and negative_class_label for a ${m.target_type} model`,
        });
  } else if (isCmaMulticlass(m.target_type) && !has(settings, "class_labels")) {
    ctx.addIssue({
      code: "custom",
      path: ["settings", "class_labels"],
      message: `CMA requires class_labels for a ${m.target_type} model`,
    });
  }
  const stability = m.test?.checks?.stability;
  if (stability && (stability.maximum_payload_size ?? 1000) < (stability.minimum_payload_size ?? 1))
    ctx.addIssue({
      code: "custom",
      path: ["test", "checks", "stability", "maximum_payload_size"],
      message: "CMA refuses a stability maximum_payload_size below minimum_payload_size",
    });
  if (m.test && !m.test.skip && !isCmaUnstructured(m.target_type) && m.test.test_data_id === undefined)
    ctx.addIssue({
      code: "custom",
      path: ["test", "test_data_id"],
      message:
        "CMA requires test.test_data_id (a catalog id) unless the test is skipped or the model unstructured",
    });
});
export type CmaModel = z.infer<typeof CmaModelSchema>;

/** `MULTI_MODELS_SCHEMA`: several models in one file, each with the path of its root folder. */
export const CmaMultiModelsSchema = z.strictObject({
  datarobot_models: z.array(z.strictObject({ model_path: NonEmptySchema, model_metadata: CmaModelSchema })),
});

const DeploymentObjectSchema = z.strictObject({
  user_provided_deployment_id: NonEmptySchema,
  user_provided_model_id: NonEmptySchema,
  prediction_environment_name: NonEmptySchema.optional(),
  settings: z
    .strictObject({
      label: NonEmptySchema.optional(),
      additional_metadata: z.record(NonEmptySchema, NonEmptySchema).optional(),
      description: NonEmptySchema.optional(),
      /** CMA's default: LOW. */
      importance: z.enum(["CRITICAL", "HIGH", "MODERATE", "LOW"]).optional(),
      association: z
        .strictObject({
          association_id_column: NonEmptySchema.optional(),
          required_in_pred_request: z.boolean().optional(),
          actual_values_column: NonEmptySchema.optional(),
          actuals_dataset_id: ObjectIdSchema.optional(),
        })
        .optional(),
      enable_target_drift: z.boolean().optional(),
      enable_feature_drift: z.boolean().optional(),
      enable_predictions_collection: z.boolean().optional(),
      enable_challenger_models: z.boolean().optional(),
      segment_analysis: z
        .strictObject({ enabled: z.boolean(), attributes: z.array(NonEmptySchema).optional() })
        .optional(),
    })
    .optional(),
});

/** `DEPLOYMENT_SCHEMA`: converted to a Deployment manifest (deployment.ts). */
export const CmaDeploymentSchema = DeploymentObjectSchema;
export type CmaDeployment = z.infer<typeof CmaDeploymentSchema>;

/** `MULTI_DEPLOYMENTS_SCHEMA`: a top-level list of deployments. */
export const CmaMultiDeploymentsSchema = z.array(CmaDeploymentSchema);

const isMapping = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * What CMA takes a parsed YAML file for, tested in its order (`scan_and_load_models_metadata`, then
 * `scan_and_load_deployments_metadata`). Python's `in` makes a list holding the string, or a string
 * containing it, a multi-model file too, and CMA then fails on it: so does the import.
 */
export function classifyCmaDocument(data: unknown): {
  models: "multi" | "single" | null;
  deployments: "multi" | "single" | null;
} {
  const multiModels = isMapping(data)
    ? "datarobot_models" in data
    : Array.isArray(data)
      ? data.includes("datarobot_models")
      : typeof data === "string" && data.includes("datarobot_models");
  const singleDeployment = isMapping(data) && "user_provided_deployment_id" in data;
  const singleModel = isMapping(data) && "user_provided_model_id" in data && !singleDeployment;
  const first: unknown = Array.isArray(data) ? data[0] : undefined;
  const multiDeployments = isMapping(first) && "user_provided_deployment_id" in first;
  return {
    models: multiModels ? "multi" : singleModel ? "single" : null,
    deployments: multiDeployments ? "multi" : singleDeployment ? "single" : null,
  };
}
