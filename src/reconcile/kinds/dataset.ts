import type { DesiredDataset } from "../desired.js";
import type { LiveDataset } from "../live.js";
import { actionId, defineKind } from "./kind.js";

/**
 * Datasets are identified by content: the catalog name carries the file's digest, so a dataset is
 * uploaded once per content and found again by name. They are never updated or pruned.
 */
export const datasetKind = defineKind<DesiredDataset, LiveDataset>({
  kind: "Dataset",
  desired: (state) => state.datasets,
  // Pairing is by catalog name below, not by key: a dataset has no drgitops key of its own.
  live: () => [],
  desiredKey: (d) => d.key,
  liveKey: () => null,
  labels: (d) => d.labels,
  dependencies: () => [],
  plan({ key, desired }, ctx) {
    if (!desired) return;
    const content = desired.content;
    if (content.type === "existing") {
      ctx.datasets.set(key, { id: content.id });
      ctx.out.unchanged.push(key);
      return;
    }
    const found = ctx.live.datasets.find(
      (d) => d.name === content.catalogName && d.processingState !== "ERROR",
    );
    if (found) {
      ctx.datasets.set(key, { id: found.id });
      ctx.out.unchanged.push(key);
      return;
    }
    const id = actionId("uploadDataset", key);
    ctx.datasets.set(key, { fromAction: id });
    ctx.out.actions.push({
      type: "uploadDataset",
      id,
      key,
      reasons: [`no catalog dataset named ${content.catalogName} (this content was never uploaded)`],
      changes: [{ kind: "value", path: "catalogName", before: null, after: content.catalogName }],
      dependsOn: [],
      expected: null,
      absPath: content.absPath,
      sha256: content.sha256,
      size: content.size,
      catalogName: content.catalogName,
    });
  },
});
