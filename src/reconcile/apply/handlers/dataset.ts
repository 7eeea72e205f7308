import { hashFile } from "../../../spec/index.js";
import { produce } from "../context.js";
import { StaleActionError } from "../executor.js";
import { on } from "../registry.js";

/**
 * Uploads a dataset file under its digest-bearing catalog name, unless a dataset of that name is
 * already there (an earlier run, maybe killed before its plan saw the result): never uploaded twice.
 */
export const uploadDataset = on("uploadDataset", async ({ action, context, signal, task, progress }) => {
  const { client } = context;
  for await (const d of client.datasets.listAll({}, signal)) {
    if (d.name === action.catalogName && d.processingState !== "ERROR") {
      produce(context, task.id, { datasetId: d.datasetId });
      return `found ${action.catalogName} (${d.datasetId})`;
    }
  }
  const sha256 = await hashFile(action.absPath);
  if (sha256 !== action.sha256)
    throw new StaleActionError(`${action.absPath} changed since the plan was made; run plan again`);
  const dataset = await client.datasets.upload(
    { filePath: action.absPath, name: action.catalogName },
    { signal, timeoutMs: context.waitTimeoutMs, onProgress: (p) => progress(`ingestion ${p.state}`) },
  );
  produce(context, task.id, { datasetId: dataset.datasetId });
  return `uploaded ${action.catalogName} (${dataset.datasetId}, ${action.size} bytes)`;
});
