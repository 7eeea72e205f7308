import type { Pair } from "../../reconcile/pair.js";
import type { StatusFacts } from "../../reconcile/status.js";
import type { DesiredEnvironment } from "./desired.js";
import type { LiveEnvironment } from "./live.js";

/** The latest environment version and its build, when it is not the successful one. */
export function environmentStatus(pair: Pair<DesiredEnvironment, LiveEnvironment>): StatusFacts {
  const env = pair.live;
  const version = env?.latestVersion ?? null;
  const details: Record<string, string> = {};
  if (version) {
    details["versionId"] = version.id;
    if (version.buildStatus !== "success") details["build"] = version.buildStatus;
  }
  return {
    id: env?.id ?? null,
    version: version ? { label: version.label, created: version.created ?? null } : null,
    test: null,
    commit: null,
    serves: null,
    details,
  };
}
