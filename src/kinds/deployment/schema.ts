import { z } from "zod";
import { ImportanceSchema, ReplacementReasonSchema } from "../../client/wire/deployment.js";
import { manifestSchemas, ResourceNameSchema } from "../../spec/schema/common.js";

/** The manifest kind (and the kind's slot in desired and live state). */
export const DEPLOYMENT = "Deployment";

/** A manifest of this project by name, or an object drgitops does not manage by id. */
const SourceRefSchema = z.union(
  [z.strictObject({ ref: ResourceNameSchema }), z.strictObject({ id: z.string().min(1) })],
  {
    error: "must be {ref: <manifest name>} or {id: <DataRobot id>}",
  },
);

export const PredictionEnvironmentRefSchema = z.union(
  [z.strictObject({ name: z.string().min(1) }), z.strictObject({ id: z.string().min(1) })],
  { error: "predictionEnvironment must be {name: <exact name>} or {id: <prediction environment id>}" },
);
export type PredictionEnvironmentRef = z.infer<typeof PredictionEnvironmentRefSchema>;

export const DeploymentSettingsSpecSchema = z.strictObject({
  predictionsDataCollection: z.boolean().optional(),
  targetDrift: z.boolean().optional(),
  featureDrift: z.boolean().optional(),
  associationId: z
    .strictObject({
      column: z.string().min(1),
      required: z
        .boolean()
        .optional()
        .meta({ description: "Required in prediction requests (default false)" }),
    })
    .optional(),
});
export type DeploymentSettingsSpec = z.infer<typeof DeploymentSettingsSpecSchema>;

export { ImportanceSchema, ReplacementReasonSchema };
export type Importance = z.infer<typeof ImportanceSchema>;
export type ReplacementReason = z.infer<typeof ReplacementReasonSchema>;

export const DeploymentSpecSchema = z.strictObject({
  label: z.string().min(1).max(512).optional().meta({ description: "Defaults to metadata.name" }),
  description: z.string().max(10000).optional(),
  registeredModel: SourceRefSchema.optional().meta({
    description: "Serves the newest registered version of this RegisteredModel (or registered model id)",
  }),
  model: SourceRefSchema.optional().meta({
    description: "Or: serves the latest gated version of this CustomModel (or custom model id) directly",
  }),
  predictionEnvironment: PredictionEnvironmentRefSchema.optional().meta({
    description: "Where it runs; chosen at creation (default: DataRobot's)",
  }),
  importance: ImportanceSchema.optional().meta({
    description: "Above LOW, DataRobot may hold changes for approval",
  }),
  replacementReason: ReplacementReasonSchema.optional().meta({
    description: "Sent with each model replacement (default OTHER)",
  }),
  settings: DeploymentSettingsSpecSchema.optional(),
  lifecycle: z
    .strictObject({ protected: z.boolean().optional().meta({ description: "Never deleted by --prune" }) })
    .optional(),
});
export type DeploymentSpec = z.infer<typeof DeploymentSpecSchema>;

export const { schema: DeploymentManifestSchema, partialSchema: PartialDeploymentManifestSchema } =
  manifestSchemas(DEPLOYMENT, DeploymentSpecSchema);
export type DeploymentManifest = z.infer<typeof DeploymentManifestSchema>;
export type PartialDeploymentManifest = z.infer<typeof PartialDeploymentManifestSchema>;
