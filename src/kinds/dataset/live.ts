import { z } from "zod";
import type { Dataset } from "../../client/wire/dataset.js";

export const LiveDatasetSchema = z.object({
  id: z.string(),
  versionId: z.string(),
  name: z.string(),
  processingState: z.string(),
});
export type LiveDataset = z.infer<typeof LiveDatasetSchema>;

/** Every catalog dataset (models reference them by id, drgitops finds its uploads by name). */
export interface LiveDatasets {
  datasets: LiveDataset[];
}

export function liveDataset(d: Dataset): LiveDataset {
  return { id: d.datasetId, versionId: d.versionId, name: d.name, processingState: d.processingState };
}

/** A dataset pairs by its catalog name (content identity) and by its id; a failed one by neither. */
export function datasetIdentities(d: LiveDataset): string[] {
  return d.processingState === "ERROR" ? [] : [`name:${d.name}`, `id:${d.id}`];
}
