import { z } from "zod";
import { RuntimeParameterTypeSchema, type RuntimeParameterType } from "../../client/wire/version.js";

export { RuntimeParameterTypeSchema, type RuntimeParameterType };

/** API.md §10.2; cross-field checks (types of defaults, min <= max) are rules, so all are reported. */
export const RuntimeParameterDefinitionSchema = z.strictObject({
  fieldName: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
    error: "must be a valid environment variable name (it becomes MLOPS_RUNTIME_PARAM_<fieldName>)",
  }),
  type: RuntimeParameterTypeSchema,
  defaultValue: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
  minValue: z.number().optional(),
  maxValue: z.number().optional(),
  allowEmpty: z.boolean().optional(),
  credentialType: z.string().min(1).optional(),
  description: z.string().optional(),
});
export type RuntimeParameterDefinition = z.infer<typeof RuntimeParameterDefinitionSchema>;

/** DRUM's lower-case target types (API.md §10.1). */
export const METADATA_TARGET_TYPES = [
  "binary",
  "regression",
  "multiclass",
  "multilabel",
  "anomaly",
  "unstructured",
  "textgeneration",
  "geopoint",
  "vectordatabase",
  "agenticworkflow",
  "transform",
] as const;

/** model-metadata.yaml: keys we do not use are accepted (DRUM has many), the ones we use are typed. */
export const ModelMetadataSchema = z.looseObject({
  name: z.string().min(1).optional(),
  type: z.enum(["inference", "training"]).optional(),
  targetType: z.enum(METADATA_TARGET_TYPES).optional(),
  inferenceModel: z
    .looseObject({
      targetName: z.string().optional(),
      positiveClassLabel: z.union([z.string(), z.number()]).optional(),
      negativeClassLabel: z.union([z.string(), z.number()]).optional(),
      classLabels: z.array(z.union([z.string(), z.number()])).optional(),
      classLabelsFile: z.string().optional(),
      predictionThreshold: z.number().optional(),
    })
    .optional(),
  runtimeParameterDefinitions: z.array(RuntimeParameterDefinitionSchema).optional(),
});
export type ModelMetadata = z.infer<typeof ModelMetadataSchema>;
