import { z } from "zod";
import { manifestSchemas, RelativePathSchema } from "../../spec/schema/common.js";

/** The manifest kind (and the kind's slot in desired and live state). */
export const DATASET = "Dataset";

/** Exactly one of `file` (uploaded once per content digest) or `id` (an existing catalog dataset). */
export const DatasetSpecSchema = z.strictObject({
  file: RelativePathSchema.optional(),
  id: z.string().min(1).optional(),
  description: z.string().max(10000).optional(),
  categories: z.array(z.string().min(1)).optional(),
});
export type DatasetSpec = z.infer<typeof DatasetSpecSchema>;

export const { schema: DatasetManifestSchema, partialSchema: PartialDatasetManifestSchema } = manifestSchemas(
  DATASET,
  DatasetSpecSchema,
);
export type DatasetManifest = z.infer<typeof DatasetManifestSchema>;
export type PartialDatasetManifest = z.infer<typeof PartialDatasetManifestSchema>;

/** DESIGN §5: a dataset's catalog name carries its digest so an upload is found again, never repeated. */
export function datasetCatalogName(name: string, sha256: string): string {
  return `${name}-${sha256.slice(0, 12)}`;
}
