import { z } from "zod";
import { ProgrammingLanguageSchema, UseCaseSchema } from "../../client/wire/environment.js";
import { manifestSchemas, RelativePathSchema } from "../../spec/schema/common.js";

/** The manifest kind (and the kind's slot in desired and live state). */
export const EXECUTION_ENVIRONMENT = "ExecutionEnvironment";

export const ExecutionEnvironmentSpecSchema = z.strictObject({
  displayName: z.string().min(1).max(255).optional().meta({ description: "Defaults to metadata.name" }),
  description: z.string().max(10000).optional(),
  programmingLanguage: ProgrammingLanguageSchema.optional(),
  useCases: z.array(UseCaseSchema).optional().meta({ description: 'Default ["customModel"]' }),
  dockerContext: RelativePathSchema.meta({ description: "Folder with a Dockerfile at its root" }),
});
export type ExecutionEnvironmentSpec = z.infer<typeof ExecutionEnvironmentSpecSchema>;

export const {
  schema: ExecutionEnvironmentManifestSchema,
  partialSchema: PartialExecutionEnvironmentManifestSchema,
} = manifestSchemas(EXECUTION_ENVIRONMENT, ExecutionEnvironmentSpecSchema);
export type ExecutionEnvironmentManifest = z.infer<typeof ExecutionEnvironmentManifestSchema>;
export type PartialExecutionEnvironmentManifest = z.infer<typeof PartialExecutionEnvironmentManifestSchema>;
