import type { PendingId } from "../../reconcile/action.js";
import { refSlot, type PlanContext } from "../../reconcile/plan-context.js";
import type { CustomModelAction } from "./actions.js";
import type { DesiredModel } from "./desired.js";
import type { LiveModel } from "./live.js";
import { liveModels } from "./plan-version.js";
import { CUSTOM_MODEL } from "./schema.js";

/**
 * What a model offers the kinds that register and deploy it (DESIGN.md §3): its latest version after
 * this plan and whether the test gate lets that version through. Published per model key in
 * `modelReleases`; registered models and deployments read it and never look at tests themselves.
 */
export interface ModelRelease {
  modelKey: string;
  /** The model, or the createModel action of this plan (`modelId`). */
  model: PendingId;
  targetType: string;
  /** The latest version after apply: known (with its label), or made by this plan's createVersion (`versionId`). */
  version: { id: string; label: string } | { fromAction: string } | null;
  /**
   * `passed`: its latest test passed for the current configuration; `untested`: the model has no
   * test; `pending`: a runTest of this plan decides (registration depends on it, so a failed test
   * skips it as dependency-gated); `failed`: the gate failed (the plan's gate list says why);
   * `held`: not tested for the current configuration (`--skip-tests`); `blocked`: the model itself
   * was refused.
   */
  gate: "passed" | "untested" | "pending" | "failed" | "held" | "blocked";
  /** Why a version does not go through (failed, held, blocked); empty otherwise. */
  detail: string;
  /** Actions of this plan that registration waits for: the last of version, build, test, feature impact. */
  after: string[];
  /** Feature impact is wanted for the version but not computed by this plan (an existing version). */
  ensureFeatureImpact: boolean;
}

/** Model key -> its release. */
export const modelReleases = refSlot<ModelRelease>(CUSTOM_MODEL);

/** Whether a release's version may be registered (now, or once its test passes at apply time). */
export function releasable(r: ModelRelease): boolean {
  return r.version !== null && (r.gate === "passed" || r.gate === "untested" || r.gate === "pending");
}

/** A refused model still publishes, so that what depends on it says why it waits. */
export function publishBlocked(
  d: DesiredModel,
  live: LiveModel | undefined,
  why: string,
  ctx: PlanContext,
): void {
  ctx.refs.set(modelReleases, d.key, {
    modelKey: d.key,
    model: live ? { id: live.id } : { fromAction: `createModel:${d.key}` },
    targetType: d.targetType,
    version: null,
    gate: "blocked",
    detail: why,
    after: [],
    ensureFeatureImpact: false,
  });
}

const PASSING = new Set(["succeeded", "warning"]);

/** The release of a planned model, from the actions its planner just emitted. */
export function publishRelease(
  d: DesiredModel,
  live: LiveModel | undefined,
  actions: readonly CustomModelAction[],
  ctx: PlanContext,
): void {
  const find = <T extends CustomModelAction["type"]>(type: T) => actions.find((a) => a.type === type);
  const createModel = find("createModel");
  const created = find("createVersion");
  const test = find("runTest");
  const impact = find("featureImpact");
  const chain = [impact, test, find("buildDependencies"), created, find("annotateVersion")];
  const last = chain.find((a) => a !== undefined);
  const latest = live?.latestVersion ?? null;
  const version: ModelRelease["version"] = created
    ? { fromAction: created.id }
    : latest
      ? { id: latest.id, label: latest.label }
      : null;
  let gate: ModelRelease["gate"];
  let detail = "";
  if (ctx.out.gate.some((g) => g.key === d.key)) {
    gate = "failed";
    detail = `the latest test of ${latest?.label ? `version ${latest.label}` : "its latest version"} failed`;
  } else if (d.test === null) {
    gate = "untested";
  } else if (test) {
    gate = "pending";
  } else if (created) {
    gate = "held";
    detail = "its new version is not tested (--skip-tests)";
  } else {
    const recorded = latest?.trailer?.key === d.key ? latest.trailer.test?.outcome : undefined;
    const found = liveModels(ctx).latestTests[d.key];
    const outcome = recorded ?? (found && found.versionId === latest?.id ? found.overallStatus : undefined);
    if (outcome !== undefined && PASSING.has(outcome)) gate = "passed";
    else {
      gate = "held";
      detail =
        outcome === undefined
          ? "no test has passed on its latest version (--skip-tests)"
          : `the latest test of its latest version is ${outcome}`;
    }
  }
  ctx.refs.set(modelReleases, d.key, {
    modelKey: d.key,
    model: live ? { id: live.id } : { fromAction: createModel?.id ?? `createModel:${d.key}` },
    targetType: d.targetType,
    version,
    gate,
    detail,
    after: last ? [last.id] : [],
    ensureFeatureImpact: (d.featureImpact ?? false) && impact === undefined && created === undefined,
  });
}
