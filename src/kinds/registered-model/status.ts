import type { Pair } from "../../reconcile/pair.js";
import type { StatusFacts } from "../../reconcile/status.js";
import type { DesiredRegisteredModel } from "./desired.js";
import { newestPackage, type LiveRegisteredModel, type LiveRegisteredModels } from "./live.js";

/** The newest registered version (`v3`) and the custom model version it registers. */
export function registeredModelStatus(
  pair: Pair<DesiredRegisteredModel, LiveRegisteredModel>,
  live: LiveRegisteredModels,
): StatusFacts {
  const r = pair.live;
  const details: Record<string, string> = {};
  const newest = r ? newestPackage(live.packages, r.id) : undefined;
  if (r) details["versions"] = String(live.packages.filter((p) => p.registeredModelId === r.id).length);
  if (newest?.versionId) details["versionId"] = newest.versionId;
  return {
    id: r?.id ?? null,
    version:
      newest?.registeredModelVersion != null
        ? { label: `v${newest.registeredModelVersion}`, created: null }
        : null,
    test: null,
    commit: null,
    serves: null,
    details,
  };
}
