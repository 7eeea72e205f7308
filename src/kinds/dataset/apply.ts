import { join } from "node:path";
import { hashFile } from "../../spec/hash-file.js";
import { handlerFor, type KindIo } from "../../reconcile/io.js";
import { liveDataset, type LiveDatasets } from "./live.js";
import type { UploadDatasetAction } from "./plan.js";

/** API.md §0.5 maximum: the fewer pages, the fewer requests a no-change plan costs. */
const DATASETS_PAGE = 1000;

/**
 * Uploads a dataset file under its digest-bearing catalog name, unless a dataset of that name is
 * already there (an earlier run, maybe killed before its plan saw the result): never uploaded twice.
 */
const uploadDataset = handlerFor<UploadDatasetAction>(
  "uploadDataset",
  async ({ action, context, signal, progress }) => {
    const { client } = context;
    for await (const d of client.datasets.listAll({}, signal)) {
      if (d.name === action.catalogName && d.processingState !== "ERROR")
        return {
          status: "succeeded",
          message: `found ${action.catalogName} (${d.datasetId})`,
          produced: { datasetId: d.datasetId },
        };
    }
    const filePath = join(context.projectRoot, action.localPath);
    if ((await hashFile(filePath)) !== action.sha256)
      return {
        status: "skipped",
        reason: "stale",
        message: `${action.localPath} changed since the plan was made; run plan again`,
      };
    const dataset = await client.datasets.upload(
      { filePath, name: action.catalogName },
      { signal, timeoutMs: context.waitTimeoutMs, onProgress: (p) => progress(`ingestion ${p.state}`) },
    );
    return {
      status: "succeeded",
      message: `uploaded ${action.catalogName} (${dataset.datasetId}, ${action.size} bytes)`,
      produced: { datasetId: dataset.datasetId },
    };
  },
);

export const datasetIo: KindIo<LiveDatasets> = {
  async observe({ client, signal }) {
    const datasets: LiveDatasets["datasets"] = [];
    for await (const d of client.datasets.listAll({ limit: DATASETS_PAGE }, signal))
      datasets.push(liveDataset(d));
    return { datasets };
  },
  handlers: { uploadDataset },
};
