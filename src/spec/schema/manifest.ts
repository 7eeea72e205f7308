import { z } from "zod";
import { CustomModelManifestSchema } from "./custom-model.js";
import { DatasetManifestSchema } from "./dataset.js";
import { ExecutionEnvironmentManifestSchema } from "./execution-environment.js";

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
