import { z } from "zod";
import { manifestSchemas, ResourceNameSchema } from "../../spec/schema/common.js";

/** The manifest kind (and the kind's slot in desired and live state). */
export const REGISTERED_MODEL = "RegisteredModel";

export const RegisteredModelSpecSchema = z.strictObject({
  displayName: z
    .string()
    .min(1)
    .max(255)
    .optional()
    .meta({ description: "Registered model name, unique on DataRobot; defaults to metadata.name" }),
  description: z.string().max(10000).optional(),
  model: z
    .strictObject({ ref: ResourceNameSchema })
    .meta({ description: "The CustomModel whose gated versions are registered" }),
  global: z.boolean().optional().meta({ description: "isGlobal: shared with the whole organisation" }),
  tags: z
    .record(z.string().min(1), z.string())
    .optional()
    .meta({ description: "Tags of each registered version (name: value)" }),
});
export type RegisteredModelSpec = z.infer<typeof RegisteredModelSpecSchema>;

export const { schema: RegisteredModelManifestSchema, partialSchema: PartialRegisteredModelManifestSchema } =
  manifestSchemas(REGISTERED_MODEL, RegisteredModelSpecSchema);
export type RegisteredModelManifest = z.infer<typeof RegisteredModelManifestSchema>;
export type PartialRegisteredModelManifest = z.infer<typeof PartialRegisteredModelManifestSchema>;
