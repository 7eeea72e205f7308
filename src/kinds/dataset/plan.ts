import { z } from "zod";
import { actionId, actionSchema, type PendingId } from "../../reconcile/action.js";
import type { Pair } from "../../reconcile/pair.js";
import { refSlot, type PlanContext } from "../../reconcile/plan-context.js";
import { sourceOf } from "../../reconcile/state.js";
import { Sha256HexSchema } from "../../spec/digest.js";
import type { DesiredDataset } from "./desired.js";
import type { LiveDataset } from "./live.js";
import { DATASET } from "./schema.js";

export const UploadDatasetActionSchema = actionSchema("uploadDataset", {
  /** Relative to the project root. */
  localPath: z.string(),
  sha256: Sha256HexSchema,
  size: z.number().int().nonnegative(),
  /** Part filename, hence catalog name; apply first looks for a dataset of this name. */
  catalogName: z.string().min(1),
});
export type UploadDatasetAction = z.infer<typeof UploadDatasetActionSchema>;
export type DatasetAction = UploadDatasetAction;

/** Dataset key -> its catalog id, or the upload action that produces it (`datasetId`). */
export const datasetRefs = refSlot<PendingId>(DATASET);

/** The identity a desired dataset pairs by: the content's catalog name, or the id it names. */
export function desiredDatasetIdentity(d: DesiredDataset): string {
  return d.content.type === "file" ? `name:${d.content.catalogName}` : `id:${d.content.id}`;
}

/**
 * Datasets are identified by content: the catalog name carries the file's digest, so a dataset is
 * uploaded once per content and found again by name. They are never updated or pruned.
 */
export function planDataset(
  { key, desired, live }: Pair<DesiredDataset, LiveDataset>,
  ctx: PlanContext,
): void {
  if (!desired) return;
  const content = desired.content;
  if (content.type === "existing") {
    ctx.refs.set(datasetRefs, key, { id: content.id });
    if (live) ctx.out.unchanged.push(key);
    else
      ctx.out.refusals.push({
        key,
        reason: `${sourceOf(desired, "spec.id")}: no catalog dataset has id ${content.id}; check the id, or give the Dataset a file to upload`,
        blocking: true,
      });
    return;
  }
  if (live) {
    ctx.refs.set(datasetRefs, key, { id: live.id });
    ctx.out.unchanged.push(key);
    return;
  }
  const id = actionId("uploadDataset", key);
  ctx.refs.set(datasetRefs, key, { fromAction: id });
  const action: UploadDatasetAction = {
    type: "uploadDataset",
    id,
    key,
    reasons: [`no catalog dataset named ${content.catalogName} (this content was never uploaded)`],
    changes: [{ kind: "value", path: "catalogName", before: null, after: content.catalogName }],
    dependsOn: [],
    expected: null,
    localPath: content.localPath,
    sha256: content.sha256,
    size: content.size,
    catalogName: content.catalogName,
  };
  ctx.out.actions.push(action);
}
