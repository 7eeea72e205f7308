import { z } from "zod";

/** API.md §4.2: an execution environment version (an image build). */
export const EnvironmentVersionSchema = z.object({
  id: z.string().min(1),
  environmentId: z.string().nullish(),
  buildStatus: z.string(),
  imageId: z.string().nullish(),
  label: z.string().nullish(),
  description: z.string().nullish(),
  created: z.string().nullish(),
  dockerContextSize: z.number().nullish(),
  dockerImageSize: z.number().nullish(),
  sourceDockerImageUri: z.string().nullish(),
});
export type EnvironmentVersion = z.infer<typeof EnvironmentVersionSchema>;

export const RequiredMetadataKeySchema = z.object({ fieldName: z.string(), displayName: z.string() });

/** API.md §4.1: an execution environment. */
export const EnvironmentSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  description: z.string().nullish(),
  programmingLanguage: z.string().nullish(),
  isPublic: z.boolean().nullish(),
  created: z.string().nullish(),
  latestVersion: EnvironmentVersionSchema.nullish(),
  latestSuccessfulVersion: EnvironmentVersionSchema.nullish(),
  requiredMetadataKeys: z.array(RequiredMetadataKeySchema).nullish(),
  useCases: z.array(z.string()).nullish(),
});
export type Environment = z.infer<typeof EnvironmentSchema>;

export const ProgrammingLanguageSchema = z.enum(["python", "r", "java", "julia", "legacy", "other"]);
export const UseCaseSchema = z.enum(["customModel", "notebook", "customApplication", "customJob"]);

/** API.md §4.1: POST executionEnvironments/. */
export const CreateEnvironmentSchema = z.object({
  name: z.string().min(1).max(255),
  description: z.string().max(10000).optional(),
  programmingLanguage: ProgrammingLanguageSchema.optional(),
  useCases: z.array(UseCaseSchema).optional(),
  requiredMetadataKeys: z.array(RequiredMetadataKeySchema).optional(),
  isPublic: z.boolean().optional(),
});
export type CreateEnvironmentInput = z.infer<typeof CreateEnvironmentSchema>;

/** API.md §4 PATCH executionEnvironments/{eid}/. */
export const UpdateEnvironmentSchema = CreateEnvironmentSchema.omit({ programmingLanguage: true }).partial();
export type UpdateEnvironmentInput = z.infer<typeof UpdateEnvironmentSchema>;

export const ListEnvironmentsQuerySchema = z.object({
  searchFor: z.string().optional(),
  isOwn: z.boolean().optional(),
  useCases: z.string().optional(),
  offset: z.number().int().nonnegative().optional(),
  limit: z.number().int().nonnegative().optional(),
});
export type ListEnvironmentsQuery = z.infer<typeof ListEnvironmentsQuerySchema>;

/**
 * API.md §4.2: a version is built from a docker context (a folder, zipped on the fly, or an
 * archive file) or from an image URI.
 */
export const CreateEnvironmentVersionSchema = z
  .object({
    dockerContextPath: z.string().min(1).optional(),
    dockerImageUri: z.string().min(1).optional(),
    label: z.string().max(50).optional(),
    description: z.string().max(10000).optional(),
  })
  .refine((v) => v.dockerContextPath !== undefined || v.dockerImageUri !== undefined, {
    message: "give dockerContextPath or dockerImageUri",
  });
export type CreateEnvironmentVersionInput = z.infer<typeof CreateEnvironmentVersionSchema>;

/** API.md §4: GET …/versions/{evid}/buildLog/; `error` is "" when the build did not fail. */
export const BuildLogSchema = z.object({ log: z.string(), error: z.string().nullish() });
export type BuildLog = z.infer<typeof BuildLogSchema>;
