import { isNotFound } from "../../client/index.js";
import type { Action, ActionType, Expected } from "../plan-file.js";
import type { ApplyContext } from "./context.js";
import type { Precheck } from "./executor.js";

/** What an action's `expected` fingerprint describes; by action type, never by branching on it. */
const SUBJECT: Record<ActionType, "model" | "environment"> = {
  createEnvironment: "environment",
  updateEnvironment: "environment",
  buildEnvironmentVersion: "environment",
  uploadDataset: "model",
  createModel: "model",
  updateModel: "model",
  createVersion: "model",
  annotateVersion: "model",
  buildDependencies: "model",
  runTest: "model",
  deleteModel: "model",
};

interface Observed {
  latestVersionId: string | null;
  updated: string | null;
  gone: boolean;
}

/** `expected` vs now, in words for the user; undefined when nothing moved. */
function moved(expected: Expected, now: Observed): string | undefined {
  if (now.gone) return `${expected.id} no longer exists`;
  if (now.latestVersionId !== expected.latestVersionId)
    return `latest version of ${expected.id} is ${now.latestVersionId ?? "none"}, the plan expected ${expected.latestVersionId ?? "none"}`;
  if (expected.updated !== null && now.updated !== expected.updated)
    return `${expected.id} was changed at ${now.updated ?? "?"} after the plan was made`;
  return undefined;
}

/**
 * For `apply --plan`: before an action runs, its object must still be as the plan saw it. Each
 * object is fetched once per run, before any action of this run touches it (the first check of an
 * object happens before its first action), so our own changes never look like someone else's.
 */
export function savedPlanPrecheck(): Precheck<Action, ApplyContext> {
  const seen = new Map<string, Promise<Observed>>();
  const observe = (
    subject: "model" | "environment",
    id: string,
    context: ApplyContext,
    signal: AbortSignal,
  ) => {
    const cacheKey = `${subject}:${id}`;
    let pending = seen.get(cacheKey);
    if (!pending) {
      pending = fetchObserved(subject, id, context, signal);
      seen.set(cacheKey, pending);
    }
    return pending;
  };
  return async (task, context, signal) => {
    const { expected } = task.action;
    if (!expected) return undefined;
    return moved(expected, await observe(SUBJECT[task.action.type], expected.id, context, signal));
  };
}

async function fetchObserved(
  subject: "model" | "environment",
  id: string,
  context: ApplyContext,
  signal: AbortSignal,
): Promise<Observed> {
  try {
    if (subject === "model") {
      const m = await context.client.customModels.get(id, signal);
      return { latestVersionId: m.latestVersion?.id ?? null, updated: m.updated ?? null, gone: false };
    }
    const e = await context.client.environments.get(id, signal);
    return { latestVersionId: e.latestVersion?.id ?? null, updated: null, gone: false };
  } catch (error) {
    if (isNotFound(error)) return { latestVersionId: null, updated: null, gone: true };
    throw error;
  }
}
