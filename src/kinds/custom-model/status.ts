import type { Pair } from "../../reconcile/pair.js";
import type { StatusFacts } from "../../reconcile/status.js";
import type { DesiredModel } from "./desired.js";
import type { LiveModel, LiveModels } from "./live.js";

/**
 * A model's latest test as `status` shows it: the trailer's record first (no call needed), else the
 * test the plan fetched because the trailer had none; `untested` when the manifest has no test.
 */
function latestTest(pair: Pair<DesiredModel, LiveModel>, live: LiveModels): string | null {
  const version = pair.live?.latestVersion;
  if (!version) return null;
  if (pair.desired && pair.desired.test === null) return "untested";
  const recorded = version.trailer?.key === pair.key ? version.trailer.test : undefined;
  if (recorded) return recorded.outcome;
  const found = live.latestTests[pair.key];
  if (found === null) return "not run";
  if (found === undefined) return null;
  if (found.versionId !== version.id) return "not run";
  if (found.cancelled) return "cancelled";
  return found.overallStatus === "in_progress" ? "running" : found.overallStatus;
}

/** The latest version, its test and the commit it came from; deployments counted. */
export function customModelStatus(pair: Pair<DesiredModel, LiveModel>, live: LiveModels): StatusFacts {
  const model = pair.live;
  const version = model?.latestVersion ?? null;
  const ours = version?.trailer?.key === pair.key ? version.trailer : null;
  const details: Record<string, string> = {};
  if (version) details["versionId"] = version.id;
  if (model && model.deploymentsCount > 0) details["deployments"] = String(model.deploymentsCount);
  if (model?.trailer?.protected) details["protected"] = "true";
  return {
    id: model?.id ?? null,
    version: version ? { label: version.label, created: version.created ?? null } : null,
    test: latestTest(pair, live),
    commit: ours?.commit ?? null,
    serves: null,
    details,
  };
}
