import { z } from "zod";

/** API.md §8.2: an AI catalog dataset. Its id is `datasetId` (there is no `id`). */
export const DatasetSchema = z.object({
  datasetId: z.string().min(1),
  versionId: z.string().min(1),
  name: z.string(),
  categories: z.array(z.string()).nullish(),
  creationDate: z.string().nullish(),
  createdBy: z.string().nullish(),
  processingState: z.string(),
  datasetSize: z.number().nullish(),
  rowCount: z.number().nullish(),
  featureCount: z.number().nullish(),
  error: z.string().nullish(),
  description: z.string().nullish(),
  isLatestVersion: z.boolean().nullish(),
});
export type Dataset = z.infer<typeof DatasetSchema>;

/** API.md §8: the 202 reply of POST datasets/fromFile/ ([F]; read only as a fallback). */
export const DatasetUploadAcceptedSchema = z.object({
  catalogId: z.string().optional(),
  catalogVersionId: z.string().optional(),
  statusId: z.string().optional(),
});

export const ListDatasetsQuerySchema = z.object({
  category: z.string().optional(),
  orderBy: z.enum(["created", "-created"]).optional(),
  filterFailed: z.boolean().optional(),
  offset: z.number().int().nonnegative().optional(),
  limit: z.number().int().nonnegative().optional(),
});
export type ListDatasetsQuery = z.infer<typeof ListDatasetsQuerySchema>;

export const UploadDatasetSchema = z.object({
  filePath: z.string().min(1),
  /** The catalog name; defaults to the file's basename (the server names it from the part filename). */
  name: z.string().min(1).optional(),
  categories: z.array(z.string().min(1)).optional(),
});
export type UploadDatasetInput = z.infer<typeof UploadDatasetSchema>;
