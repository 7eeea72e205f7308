import type { PendingId } from "../../reconcile/action.js";
import type { PlanContext } from "../../reconcile/plan-context.js";
import { modelReleases, releasable } from "../custom-model/release.js";
import { newestPackage, type LivePackage } from "../registered-model/live.js";
import { liveRegisteredModels, registeredModelReleases } from "../registered-model/plan.js";
import type { PackageRef, Serves } from "./actions.js";
import type { DesiredDeployment } from "./desired.js";
import { emptyLiveDeployments, type LiveDeployment, type LiveDeployments } from "./live.js";
import { DEPLOYMENT } from "./schema.js";

/**
 * What a deployment should serve after this plan (DESIGN.md §3): the newest registered version of
 * its registered model, or its custom model's latest version that passed the gate.
 */
export type Target =
  | {
      kind: "serve";
      package: PackageRef;
      serves: Serves;
      /** Actions of this plan that make the version and package ready (registration, test, ...). */
      after: string[];
      targetType: string | null;
      /** What a live champion must be to count as serving it already; null: made by this plan. */
      match: { packageId: string } | { versionId: string } | null;
    }
  /** Nothing to serve yet (a gate, a registered model without versions): a live deployment keeps its champion. */
  | { kind: "none"; reason: string }
  /** The manifest points at nothing usable: fix it first. */
  | { kind: "refused"; reason: string }
  /** A custom model given by id must be fetched first (observe asked for it). */
  | { kind: "unknown" };

export function liveDeployments(ctx: PlanContext): LiveDeployments {
  return (ctx.live.resources[DEPLOYMENT] as LiveDeployments | undefined) ?? emptyLiveDeployments();
}

/** Any package of a version, preferring a registered one (API.md §13.2: a version may have many). */
function packageOfVersion(packages: readonly LivePackage[], versionId: string): LivePackage | undefined {
  const all = packages.filter((p) => p.versionId === versionId);
  return all.find((p) => p.registeredModelId !== null) ?? all[0];
}

function versionPackage(
  version: { id: string } | { fromAction: string },
  packages: readonly LivePackage[],
): PackageRef {
  if ("fromAction" in version) return { version };
  const existing = packageOfVersion(packages, version.id);
  return existing ? { id: existing.id } : { version: { id: version.id } };
}

function dependsOn(...refs: (PendingId | PackageRef | null | undefined)[]): string[] {
  return refs.flatMap((r) => (r && "fromAction" in r ? [r.fromAction] : []));
}

export function resolveTarget(d: DesiredDeployment, ctx: PlanContext): Target {
  const state = liveRegisteredModels(ctx);
  const serves = d.serves;
  if (serves.kind === "registeredModel" && "key" in serves) {
    const release = ctx.refs.get(registeredModelReleases, serves.key);
    if (!release) return { kind: "refused", reason: `its registered model ${serves.key} was not planned` };
    if (release.blocked) return { kind: "none", reason: `its registered model ${serves.key} was refused` };
    const champion = release.champion;
    if (!champion)
      return {
        kind: "none",
        reason: `${serves.key} has no registered version yet${release.held ? ` (${release.held})` : ""}`,
      };
    return {
      kind: "serve",
      package: champion.package,
      after: dependsOn(champion.package),
      targetType: release.targetType,
      match: "id" in champion.package ? { packageId: champion.package.id } : null,
      serves: {
        modelKey: champion.modelKey,
        modelVersion: champion.modelVersion,
        newVersion: champion.newVersion,
        registeredModelKey: serves.key,
        registeredVersion: champion.registeredVersion,
        newRegisteredVersion: "fromAction" in champion.package,
        gate: champion.gate === "pending" || champion.gate === "untested" ? champion.gate : "passed",
      },
    };
  }
  if (serves.kind === "registeredModel" && "id" in serves) {
    const registered = state.registeredModels.find((r) => r.id === serves.id);
    if (!registered) return { kind: "refused", reason: `no registered model has id ${serves.id}` };
    const newest = newestPackage(state.packages, registered.id);
    if (!newest) return { kind: "none", reason: `registered model ${registered.name} has no version` };
    return {
      kind: "serve",
      package: { id: newest.id },
      after: [],
      targetType: registered.targetType,
      match: { packageId: newest.id },
      serves: {
        modelKey: null,
        modelVersion: null,
        newVersion: false,
        registeredModelKey: registered.name,
        registeredVersion: newest.registeredModelVersion,
        newRegisteredVersion: false,
        gate: "unmanaged",
      },
    };
  }
  if ("key" in serves) {
    const release = ctx.refs.get(modelReleases, serves.key);
    if (!release) return { kind: "refused", reason: `its model ${serves.key} was not planned` };
    if (!release.version || !releasable(release))
      return {
        kind: "none",
        reason: `${serves.key} has no version that passed its gate${release.detail ? ` (${release.detail})` : ""}`,
      };
    const version = release.version;
    const pkg = versionPackage(version, state.packages);
    return {
      kind: "serve",
      package: pkg,
      after: [...release.after, ...dependsOn(release.model)],
      targetType: release.targetType,
      match: "id" in version ? { versionId: version.id } : null,
      serves: {
        modelKey: serves.key,
        modelVersion: "label" in version ? version.label : null,
        newVersion: "fromAction" in version,
        registeredModelKey: null,
        registeredVersion: null,
        newRegisteredVersion: false,
        gate: release.gate === "pending" || release.gate === "untested" ? release.gate : "passed",
      },
    };
  }
  const model = liveDeployments(ctx).models[serves.id];
  if (model === undefined) {
    ctx.out.needs.push({
      kind: DEPLOYMENT,
      what: "customModel",
      params: { modelKey: d.key, modelId: serves.id },
    });
    return { kind: "unknown" };
  }
  if (model === null) return { kind: "refused", reason: `no custom model has id ${serves.id}` };
  if (!model.latestVersion) return { kind: "none", reason: `custom model ${serves.id} has no version` };
  return {
    kind: "serve",
    package: versionPackage({ id: model.latestVersion.id }, state.packages),
    after: [],
    targetType: model.targetType,
    match: { versionId: model.latestVersion.id },
    serves: {
      modelKey: null,
      modelVersion: model.latestVersion.label,
      newVersion: false,
      registeredModelKey: null,
      registeredVersion: null,
      newRegisteredVersion: false,
      gate: "unmanaged",
    },
  };
}

/** The live champion already is what the target serves (any package of the target version counts). */
export function servesAlready(live: LiveDeployment, target: Extract<Target, { kind: "serve" }>): boolean {
  const match = target.match;
  if (match === null) return false;
  return "packageId" in match
    ? live.champion.packageId === match.packageId
    : live.champion.versionId === match.versionId;
}

/** The registered version number of a live package, when it is one. */
export function registeredVersionOf(ctx: PlanContext, packageId: string | null): number | null {
  if (packageId === null) return null;
  return liveRegisteredModels(ctx).packages.find((p) => p.id === packageId)?.registeredModelVersion ?? null;
}
