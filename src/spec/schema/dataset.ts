import { z } from "zod";
import { API_VERSION, MetadataSchema, RelativePathSchema } from "./common.js";

/** Exactly one of `file` (uploaded once per content digest) or `id` (an existing catalog dataset). */
export const DatasetSpecSchema = z.strictObject({
  file: RelativePathSchema.optional(),
  id: z.string().min(1).optional(),
  description: z.string().max(10000).optional(),
  categories: z.array(z.string().min(1)).optional(),
});
export type DatasetSpec = z.infer<typeof DatasetSpecSchema>;

export const DatasetManifestSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal("Dataset"),
  metadata: MetadataSchema,
  spec: DatasetSpecSchema,
});
export type DatasetManifest = z.infer<typeof DatasetManifestSchema>;
