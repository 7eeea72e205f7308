import { z } from "zod";
import { CustomModelManifestSchema, CustomModelSpecSchema } from "./custom-model.js";
import { DatasetManifestSchema } from "./dataset.js";
import {
  ExecutionEnvironmentManifestSchema,
  ExecutionEnvironmentSpecSchema,
} from "./execution-environment.js";

/** The kinds registry: adding a kind means adding its schema here, nothing else branches on kind names. */
export const manifestSchemas = {
  CustomModel: CustomModelManifestSchema,
  ExecutionEnvironment: ExecutionEnvironmentManifestSchema,
  Dataset: DatasetManifestSchema,
} as const;
export type ManifestKind = keyof typeof manifestSchemas;
export const MANIFEST_KINDS = Object.keys(manifestSchemas) as ManifestKind[];

export function isManifestKind(kind: unknown): kind is ManifestKind {
  return typeof kind === "string" && Object.hasOwn(manifestSchemas, kind);
}

export const ManifestSchema = z.discriminatedUnion("kind", [
  CustomModelManifestSchema,
  ExecutionEnvironmentManifestSchema,
  DatasetManifestSchema,
]);
export type Manifest = z.infer<typeof ManifestSchema>;

/**
 * The kinds with every spec field optional: what is left of a manifest once its invalid fields are
 * dropped, so rules can judge the valid rest. metadata.name stays required: it is the identity.
 */
export const partialManifestSchemas = {
  CustomModel: CustomModelManifestSchema.extend({ spec: CustomModelSpecSchema.partial() }),
  ExecutionEnvironment: ExecutionEnvironmentManifestSchema.extend({
    spec: ExecutionEnvironmentSpecSchema.partial(),
  }),
  Dataset: DatasetManifestSchema,
} as const;
export type PartialCustomModelManifest = z.infer<typeof partialManifestSchemas.CustomModel>;
export type PartialExecutionEnvironmentManifest = z.infer<typeof partialManifestSchemas.ExecutionEnvironment>;
export type PartialManifest = z.infer<(typeof partialManifestSchemas)[ManifestKind]>;
