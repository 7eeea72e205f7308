import type { ResourceContext } from "../context.js";
import { seg } from "../context.js";
import { runJob, type WaitOptions } from "../waiters.js";
import { FeatureImpactSchema, type FeatureImpact } from "../wire/version.js";

/** API.md §2.11: feature impact of a version. */
export function featureImpact(ctx: ResourceContext) {
  const { http } = ctx;
  const path = (modelId: string, versionId: string) =>
    `customModels/${seg(modelId)}/versions/${seg(versionId)}/featureImpact/`;
  const self = {
    async get(modelId: string, versionId: string, signal?: AbortSignal): Promise<FeatureImpact> {
      return await http.json({ method: "GET", path: path(modelId, versionId), signal }, FeatureImpactSchema);
    },
    /** Starts the calculation, waits for the job, then reads the result. */
    async calculate(modelId: string, versionId: string, wait: WaitOptions = {}): Promise<FeatureImpact> {
      return await runJob(
        ctx,
        { method: "POST", path: path(modelId, versionId) },
        wait,
        FeatureImpactSchema,
        () => self.get(modelId, versionId, wait.signal),
      );
    },
  };
  return self;
}
