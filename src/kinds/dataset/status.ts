import type { Pair } from "../../reconcile/pair.js";
import type { StatusFacts } from "../../reconcile/status.js";
import type { DesiredDataset } from "./desired.js";
import type { LiveDataset } from "./live.js";

/** A dataset has no versions drgitops makes: its catalog name and state are what there is to see. */
export function datasetStatus(pair: Pair<DesiredDataset, LiveDataset>): StatusFacts {
  const dataset = pair.live;
  const details: Record<string, string> = {};
  if (dataset) {
    details["catalogName"] = dataset.name;
    if (dataset.processingState !== "COMPLETED") details["processing"] = dataset.processingState;
  }
  return { id: dataset?.id ?? null, version: null, test: null, commit: null, serves: null, details };
}
