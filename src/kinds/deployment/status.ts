import type { Pair } from "../../reconcile/pair.js";
import type { StatusFacts } from "../../reconcile/status.js";
import type { DesiredDeployment } from "./desired.js";
import type { LiveDeployment } from "./live.js";

/** `Customer churn 3.0`: the champion's model and version, as the deployment listing reports them. */
export function servedText(champion: LiveDeployment["champion"]): string | null {
  const version = champion.versionLabel ?? champion.versionId;
  if (version === null) return champion.packageId === null ? null : `package ${champion.packageId}`;
  return champion.customModelName === null ? `version ${version}` : `${champion.customModelName} ${version}`;
}

/**
 * What a deployment serves (its champion) and how it stands on DataRobot (`status`, importance):
 * all from the listing the plan made, so status costs nothing more.
 */
export function deploymentStatus(pair: Pair<DesiredDeployment, LiveDeployment>): StatusFacts {
  const d = pair.live;
  const details: Record<string, string> = {};
  if (d) {
    if (d.status !== null) details["status"] = d.status;
    details["importance"] = d.importance;
    if (d.champion.packageId !== null) details["modelPackageId"] = d.champion.packageId;
    if (d.champion.versionId !== null) details["versionId"] = d.champion.versionId;
    if (d.trailer?.protected) details["protected"] = "true";
  }
  return {
    id: d?.id ?? null,
    version: null,
    test: null,
    commit: d?.trailer?.key === pair.key ? (d.trailer.commit ?? null) : null,
    serves: d ? servedText(d.champion) : null,
    details,
  };
}
