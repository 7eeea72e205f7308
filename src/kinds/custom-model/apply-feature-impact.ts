import { ApiError, isNotFound, type DataRobotClient } from "../../client/index.js";
import { handlerFor, type Outcome } from "../../reconcile/io.js";
import type { FeatureImpactAction } from "./actions.js";

/**
 * Feature impact of a version (API.md §2.11), unless it was computed already (a re-run after a
 * crash, or registration making sure of it): GET first, POST and wait only on a 404.
 */
export async function ensureFeatureImpact(
  client: DataRobotClient,
  modelId: string,
  versionId: string,
  wait: { signal: AbortSignal; timeoutMs: number; progress: (message: string) => void },
): Promise<Outcome> {
  try {
    await client.featureImpact.get(modelId, versionId, wait.signal);
    return { status: "succeeded", message: `feature impact of version ${versionId} was already computed` };
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  try {
    const impact = await client.featureImpact.calculate(modelId, versionId, {
      signal: wait.signal,
      timeoutMs: wait.timeoutMs,
      onProgress: (p) => wait.progress(`feature impact ${p.state}`),
    });
    return {
      status: "succeeded",
      message: `feature impact computed (${impact.featureImpacts.length} features)`,
      produced: { modelId, versionId },
    };
  } catch (error) {
    // A job that ends in ERROR, or a refusal of the request, is this action's failure, not a bug.
    if (error instanceof ApiError && (error.code === "job-failed" || (error.status ?? 0) < 500))
      return { status: "failed", message: `feature impact of version ${versionId} failed: ${error.message}` };
    throw error;
  }
}

export const featureImpact = handlerFor<FeatureImpactAction>(
  "featureImpact",
  async ({ action, context, signal, progress, resolve }) => {
    const modelId = resolve(action.model, "modelId");
    const versionId = resolve(action.version, "versionId");
    const outcome = await ensureFeatureImpact(context.client, modelId, versionId, {
      signal,
      timeoutMs: context.waitTimeoutMs,
      progress,
    });
    return outcome.status === "succeeded" ? { ...outcome, produced: { modelId, versionId } } : outcome;
  },
);
