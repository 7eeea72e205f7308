import { defineKind } from "../kind.js";
import { desiredDataset, type DesiredDataset } from "./desired.js";
import { datasetIdentities, type LiveDataset, type LiveDatasets } from "./live.js";
import {
  desiredDatasetIdentity,
  planDataset,
  UploadDatasetActionSchema,
  type DatasetAction,
} from "./plan.js";
import { datasetRender } from "./render.js";
import { datasetRules } from "./rules.js";
import {
  DATASET,
  DatasetManifestSchema,
  PartialDatasetManifestSchema,
  type DatasetManifest,
  type PartialDatasetManifest,
} from "./schema.js";
import { datasetStatus } from "./status.js";

/** A file uploaded to the AI catalog once per content digest, or an existing catalog dataset. */
export const datasetKind = defineKind<
  DatasetManifest,
  PartialDatasetManifest,
  DesiredDataset,
  LiveDatasets,
  LiveDataset,
  DatasetAction
>({
  name: DATASET,
  schema: DatasetManifestSchema,
  partialSchema: PartialDatasetManifestSchema,
  takesDefaults: false,
  localPaths: (m, invalid) =>
    m.spec.file === undefined || invalid(["spec", "file"])
      ? []
      : [
          {
            role: "file",
            field: ["spec", "file"],
            written: m.spec.file,
            expect: "file",
            what: "dataset file",
            missingCode: "dataset-file-missing",
            content: "digest",
          },
        ],
  references: () => [],
  rules: datasetRules,
  desired: desiredDataset,
  live: {
    empty: () => ({ datasets: [] }),
    objects: (state) => state.datasets,
    identities: (d) => datasetIdentities(d),
  },
  identity: desiredDatasetIdentity,
  dependencies: () => [],
  plan: planDataset,
  actions: [UploadDatasetActionSchema],
  render: datasetRender,
  status: datasetStatus,
  io: async () => (await import("./apply.js")).datasetIo,
});
