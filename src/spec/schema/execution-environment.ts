import { z } from "zod";
import { API_VERSION, MetadataSchema, RelativePathSchema } from "./common.js";

export const ExecutionEnvironmentSpecSchema = z.strictObject({
  displayName: z.string().min(1).max(255).optional().meta({ description: "Defaults to metadata.name" }),
  description: z.string().max(10000).optional(),
  programmingLanguage: z.enum(["python", "r", "java", "julia", "legacy", "other"]).optional(),
  useCases: z
    .array(z.enum(["customModel", "notebook", "customApplication", "customJob"]))
    .optional()
    .meta({ description: 'Default ["customModel"]' }),
  dockerContext: RelativePathSchema.meta({ description: "Folder with a Dockerfile at its root" }),
});
export type ExecutionEnvironmentSpec = z.infer<typeof ExecutionEnvironmentSpecSchema>;

export const ExecutionEnvironmentManifestSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal("ExecutionEnvironment"),
  metadata: MetadataSchema,
  spec: ExecutionEnvironmentSpecSchema,
});
export type ExecutionEnvironmentManifest = z.infer<typeof ExecutionEnvironmentManifestSchema>;
