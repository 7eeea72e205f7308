import { actionId, type Expected, type FieldChange } from "../../reconcile/action.js";
import { valueChange } from "../../reconcile/diff.js";
import type { Pair } from "../../reconcile/pair.js";
import { prunable, type PlanContext } from "../../reconcile/plan-context.js";
import { stripTrailer, type Trailer } from "../../reconcile/trailer.js";
import { sourceOf } from "../../reconcile/state.js";
import { canonicalJson } from "../../spec/canonical-json.js";
import { sha256Digest, type Digest } from "../../spec/digest.js";
import type {
  CreateDeploymentAction,
  DeleteDeploymentAction,
  DeploymentAction,
  ReplaceDeploymentModelAction,
  UpdateDeploymentAction,
} from "./actions.js";
import type { DesiredDeployment } from "./desired.js";
import type { LiveDeployment } from "./live.js";
import {
  liveDeployments,
  registeredVersionOf,
  resolveTarget,
  servesAlready,
  type Target,
} from "./plan-serve.js";
import { DEPLOYMENT, type Importance } from "./schema.js";
import { SETTING_NAMES, settingsPatch, type SettingName } from "./settings.js";

/** Keys a deployment needs in scope: what it serves, when that is a manifest. */
export function deploymentDependencies(d: DesiredDeployment): string[] {
  return "key" in d.serves ? [d.serves.key] : [];
}

/**
 * Digest of the managed fields and settings as declared: `Drgitops-Applied` in the description
 * trailer. Settings are not in the deployment listing; while this digest matches the manifest the
 * trailer vouches for them and no plan reads them (unless drift is being looked for).
 */
export function deploymentAppliedDigest(d: DesiredDeployment): Digest {
  return sha256Digest(canonicalJson({ fields: d.fields, settings: d.settings }));
}

/** The champion drgitops last made a deployment serve, as recorded (`Drgitops-Fingerprint`). */
export function servingDigest(packageId: string): Digest {
  return sha256Digest(`modelPackage:${packageId}`);
}

/** DESIGN.md §3: a deployment above LOW importance may send changes to a reviewer on DataRobot. */
export function approvalNote(importance: string): string | null {
  return importance === "LOW"
    ? null
    : `importance ${importance}: DataRobot may hold this change until a reviewer approves it`;
}

function withNote(reasons: string[], note: string | null): string[] {
  return note === null ? reasons : [...reasons, note];
}

function expectedOf(live: LiveDeployment): Expected {
  return { id: live.id, latestVersionId: live.champion.packageId, updated: null };
}

function trailerOf(d: DesiredDeployment, fingerprint?: string): Trailer {
  return {
    key: d.key,
    ...(fingerprint !== undefined ? { fingerprint } : {}),
    ...(d.protected ? { protected: true } : {}),
    applied: deploymentAppliedDigest(d),
  };
}

/**
 * Deployments: identity by `userProvidedId` = key. A deployment serves the newest registered version
 * of its registered model (or its model's latest gated version): a different champion is replaced,
 * validated first. Label, description, importance and settings are PATCHed; prune deletes one whose
 * manifest is gone, never a protected one.
 */
export function planDeployment(pair: Pair<DesiredDeployment, LiveDeployment>, ctx: PlanContext): void {
  const d = pair.desired;
  const live = pair.live;
  if (!d) {
    if (live) planPrune(pair.key, live, ctx);
    return;
  }
  const target = resolveTarget(d, ctx);
  if (target.kind === "unknown") return;
  if (target.kind === "refused") {
    ctx.out.refusals.push({
      key: d.key,
      reason: `${sourceOf(d, servesField(d))}: ${target.reason}`,
      blocking: true,
    });
    return;
  }
  const resolved = predictionEnvironmentOf(d, ctx);
  if (resolved === undefined) return;
  const environment = resolved.id;
  if (!live) {
    if (target.kind === "none") {
      ctx.out.refusals.push({ key: d.key, reason: `not created yet: ${target.reason}`, blocking: false });
      return;
    }
    ctx.out.actions.push(createDeployment(d, target, environment));
    return;
  }
  if (
    target.kind === "serve" &&
    target.targetType &&
    live.targetType &&
    target.targetType !== live.targetType
  ) {
    ctx.out.refusals.push({
      key: d.key,
      reason: `${sourceOf(d, servesField(d))}: deployment ${live.id} serves a ${live.targetType} model; what the manifest names is ${target.targetType}. A deployment cannot change target type: give the manifest a new name to create another deployment`,
      blocking: true,
    });
    return;
  }
  if (
    environment !== null &&
    live.predictionEnvironmentId !== null &&
    environment !== live.predictionEnvironmentId
  )
    ctx.out.refusals.push({
      key: d.key,
      reason: `deployment ${live.id} runs in prediction environment ${live.predictionEnvironmentId}, the manifest names ${environment}; a deployment cannot move: give the manifest a new name to deploy there`,
      blocking: false,
    });
  if (live.status === "errored")
    ctx.out.refusals.push({
      key: d.key,
      reason: `deployment ${live.id} is errored: its model cannot serve (DataRobot's deployment logs say why)`,
      blocking: false,
    });

  const note = approvalNote(
    [live.importance, d.fields.importance ?? "LOW"].find((i) => i !== "LOW") ?? "LOW",
  );
  const recordedServing = live.trailer?.key === d.key ? live.trailer.fingerprint : undefined;
  const servedByUs =
    live.champion.packageId !== null && recordedServing === servingDigest(live.champion.packageId);
  let replace: ReplaceDeploymentModelAction | null = null;
  let recordServing: string | undefined;
  if (target.kind === "serve" && !servesAlready(live, target)) {
    replace = replaceModel(d, live, target, servedByUs, note, ctx);
  } else if (target.kind === "serve" && live.champion.packageId !== null && !servedByUs) {
    // It serves what it should, but the trailer does not say so (a run stopped right after replacing).
    recordServing = servingDigest(live.champion.packageId);
  }
  const update = planUpdate(
    d,
    live,
    recordServing ?? recordedServing,
    recordServing !== undefined,
    note,
    ctx,
  );
  const actions: DeploymentAction[] = [];
  if (update) actions.push(update);
  if (replace) {
    // Both write the description trailer: one after the other.
    if (update) replace.dependsOn.push(update.id);
    actions.push(replace);
  }
  if (actions.length === 0) ctx.out.unchanged.push(d.key);
  ctx.out.actions.push(...actions);
}

/** The manifest field naming what a deployment serves, where refusals about it point. */
function servesField(d: DesiredDeployment): string {
  return d.serves.kind === "registeredModel" ? "spec.registeredModel" : "spec.model";
}

/** The prediction environment id the manifest names (null: not declared); undefined: refused. */
function predictionEnvironmentOf(d: DesiredDeployment, ctx: PlanContext): { id: string | null } | undefined {
  const ref = d.predictionEnvironment;
  if (ref === null) return { id: null };
  const environments = liveDeployments(ctx).predictionEnvironments;
  const found =
    "id" in ref
      ? environments.filter((e) => e.id === ref.id)
      : environments.filter((e) => e.name === ref.name);
  if (found.length === 1) return { id: found[0]!.id };
  ctx.out.refusals.push({
    key: d.key,
    reason: `${sourceOf(d, "spec.predictionEnvironment")}: ${
      found.length === 0
        ? `no prediction environment ${"id" in ref ? `has id ${ref.id}` : `is named "${ref.name}"`}`
        : `${found.length} prediction environments are named "${"name" in ref ? ref.name : ""}" (ids ${found.map((e) => e.id).join(", ")}); use {id: ...}`
    }`,
    blocking: true,
  });
  return undefined;
}

function createDeployment(
  d: DesiredDeployment,
  target: Extract<Target, { kind: "serve" }>,
  predictionEnvironmentId: string | null,
): CreateDeploymentAction {
  const changes: FieldChange[] = (Object.entries(d.fields) as [string, unknown][]).map(([path, after]) => ({
    kind: "value" as const,
    path,
    before: null,
    after,
  }));
  for (const name of SETTING_NAMES)
    if (d.settings[name] !== undefined)
      changes.push({ kind: "value", path: `settings.${name}`, before: null, after: d.settings[name] });
  return {
    type: "createDeployment",
    id: actionId("createDeployment", d.key),
    key: d.key,
    reasons: withNote(
      ["no deployment has this key as its userProvidedId"],
      approvalNote(d.fields.importance ?? "LOW"),
    ),
    changes,
    dependsOn: target.after,
    expected: null,
    package: target.package,
    label: d.fields.label,
    description: d.fields.description ?? "",
    importance: d.fields.importance ?? null,
    predictionEnvironmentId,
    userProvidedId: d.key,
    settings: settingsPatch(d.settings, SETTING_NAMES),
    trailer: trailerOf(d),
    serves: target.serves,
  };
}

function servesText(target: Extract<Target, { kind: "serve" }>): string {
  const s = target.serves;
  const version = s.newVersion
    ? "the new version"
    : s.modelVersion
      ? `version ${s.modelVersion}`
      : "the latest version";
  if (s.registeredModelKey !== null)
    return `registered version ${s.registeredVersion ?? "?"}${s.newRegisteredVersion ? " (registered by this plan)" : ""} of ${s.registeredModelKey}`;
  return `${version} of ${s.modelKey ?? "the model"}`;
}

function replaceModel(
  d: DesiredDeployment,
  live: LiveDeployment,
  target: Extract<Target, { kind: "serve" }>,
  servedByUs: boolean,
  note: string | null,
  ctx: PlanContext,
): ReplaceDeploymentModelAction {
  const current = {
    packageId: live.champion.packageId,
    modelVersion: live.champion.versionLabel,
    registeredVersion: registeredVersionOf(ctx, live.champion.packageId),
  };
  const before =
    current.registeredVersion !== null
      ? `registered version ${current.registeredVersion}`
      : `version ${current.modelVersion ?? live.champion.versionId ?? "?"}`;
  const after = servesText(target);
  const changes: FieldChange[] = [{ kind: "value", path: "champion", before, after }];
  const reasons: string[] = [];
  if (!servedByUs) {
    ctx.out.drift.push({
      key: d.key,
      subject: "deployment",
      summary: `its champion was replaced outside drgitops (it serves ${before})`,
      changes,
    });
    reasons.push(`restore the champion replaced outside drgitops: ${after}`);
  } else {
    reasons.push(
      target.serves.gate === "pending" ? `roll out ${after}, if its test passes` : `roll out ${after}`,
    );
  }
  return {
    type: "replaceDeploymentModel",
    id: actionId("replaceDeploymentModel", d.key),
    key: d.key,
    reasons: withNote(reasons, note),
    changes,
    dependsOn: [...target.after],
    expected: expectedOf(live),
    deploymentId: live.id,
    package: target.package,
    reason: d.replacementReason,
    serves: target.serves,
    current,
    importance: (d.fields.importance ?? live.importance) as Importance,
  };
}

/**
 * Fields, settings and the trailer. Settings are read (one GET, `deploymentSettings`) only when the
 * trailer's applied digest does not vouch for them, or when drift is looked for.
 */
function planUpdate(
  d: DesiredDeployment,
  live: LiveDeployment,
  fingerprint: string | undefined,
  recordServing: boolean,
  note: string | null,
  ctx: PlanContext,
): UpdateDeploymentAction | null {
  const applied = deploymentAppliedDigest(d);
  const ours = live.trailer?.key === d.key ? live.trailer : null;
  const recorded = ours?.applied;
  const declared = SETTING_NAMES.filter((n) => d.settings[n] !== undefined);
  const trusted = recorded === applied && ctx.options.detectDrift !== true;
  const settings = liveDeployments(ctx).settings[live.id];
  if (!trusted && declared.length > 0 && settings === undefined)
    ctx.out.needs.push({
      kind: DEPLOYMENT,
      what: "deploymentSettings",
      params: { modelKey: d.key, deploymentId: live.id },
    });

  const changes: FieldChange[] = [];
  const patch: UpdateDeploymentAction["patch"] = {};
  const label = valueChange("label", live.label, d.fields.label);
  if (label) {
    changes.push(label);
    patch.label = d.fields.label;
  }
  const body = stripTrailer(live.description);
  const description =
    d.fields.description === undefined
      ? null
      : valueChange("description", body, d.fields.description.trimEnd());
  if (description) changes.push(description);
  if (d.fields.importance !== undefined) {
    const importance = valueChange("importance", live.importance, d.fields.importance);
    if (importance) {
      changes.push(importance);
      patch.importance = d.fields.importance;
    }
  }
  const changedSettings: SettingName[] = [];
  if (settings !== undefined)
    for (const name of declared) {
      const change = valueChange(`settings.${name}`, settings[name], d.settings[name]);
      if (change) {
        changes.push(change);
        changedSettings.push(name);
      }
    }
  const protectedChanged = (ours?.protected ?? false) !== d.protected;
  const trailerChanged = recorded !== applied || protectedChanged || recordServing;
  if (changes.length === 0 && !trailerChanged) return null;
  const names = changes.map((c) => c.path).join(", ");
  // No trailer of ours: the deployment was made or edited elsewhere. Ours without a digest: an apply
  // stopped before it finished, so a difference is unfinished work, not drift.
  const drifted = changes.length > 0 && (ours === null || recorded === applied);
  if (drifted)
    ctx.out.drift.push({
      key: d.key,
      subject: "deployment",
      summary: `${names} changed outside drgitops`,
      changes,
    });
  const reasons: string[] = [];
  if (drifted) reasons.push(`restore ${names} changed outside drgitops`);
  else if (changes.length > 0) reasons.push(`${names} changed in the manifest`);
  if (protectedChanged) {
    changes.push({ kind: "value", path: "lifecycle.protected", before: !d.protected, after: d.protected });
    reasons.push(
      d.protected ? "protect the deployment from prune" : "remove the deployment's prune protection",
    );
  }
  if (reasons.length === 0)
    reasons.push(
      recordServing
        ? "record the champion it serves in the deployment's trailer"
        : ours
          ? "record the applied fields and settings in the deployment's trailer"
          : "record drgitops ownership in the deployment's description trailer",
    );
  return {
    type: "updateDeployment",
    id: actionId("updateDeployment", d.key),
    key: d.key,
    reasons: withNote(reasons, changes.length > 0 ? note : null),
    changes,
    dependsOn: [],
    expected: expectedOf(live),
    deploymentId: live.id,
    patch,
    description: d.fields.description ?? body,
    settings: settingsPatch(d.settings, changedSettings),
    trailer: trailerOf(d, fingerprint),
  };
}

/** Prune: only with --prune, never a protected deployment; --max-deletions counts it (the caller). */
function planPrune(key: string, live: LiveDeployment, ctx: PlanContext): void {
  if (!ctx.options.prune || !prunable(key, ctx)) return;
  if (live.trailer?.protected) {
    ctx.out.refusals.push({
      key,
      reason: `not pruned: protected (Drgitops-Protected: true in deployment ${live.id}'s description); restore its manifest with lifecycle.protected: false and apply, then prune`,
      blocking: false,
    });
    return;
  }
  const deletion: DeleteDeploymentAction = {
    type: "deleteDeployment",
    id: actionId("deleteDeployment", key),
    key,
    reasons: withNote(["no manifest declares this key (--prune)"], approvalNote(live.importance)),
    changes: [{ kind: "value", path: "deployment", before: live.label, after: null }],
    dependsOn: [],
    expected: expectedOf(live),
    deploymentId: live.id,
  };
  ctx.out.deletions.push(deletion);
}
