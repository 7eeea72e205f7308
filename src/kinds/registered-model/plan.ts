import { z } from "zod";
import { TagSchema } from "../../client/wire/custom-model.js";
import {
  actionId,
  actionSchema,
  PendingIdSchema,
  type DriftItem,
  type Expected,
  type FieldChange,
  type PendingId,
} from "../../reconcile/action.js";
import { valueChange } from "../../reconcile/diff.js";
import type { Pair } from "../../reconcile/pair.js";
import { refSlot, type PlanContext } from "../../reconcile/plan-context.js";
import { stripTrailer, withTrailer, type Trailer } from "../../reconcile/trailer.js";
import { sourceOf } from "../../reconcile/state.js";
import { canonicalJson } from "../../spec/canonical-json.js";
import { sha256Digest } from "../../spec/digest.js";
import { modelReleases, releasable, type ModelRelease } from "../custom-model/release.js";
import { RegisteredModelFieldsSchema, type DesiredRegisteredModel } from "./desired.js";
import {
  emptyLiveRegisteredModels,
  newestPackage,
  type LivePackage,
  type LiveRegisteredModel,
  type LiveRegisteredModels,
} from "./live.js";
import { REGISTERED_MODEL } from "./schema.js";

/** PATCH registeredModels/{id}/ body; the description always carries the trailer. */
export const RegisteredModelPatchSchema = RegisteredModelFieldsSchema.partial();
export type RegisteredModelPatch = z.infer<typeof RegisteredModelPatchSchema>;

export const RegisterVersionActionSchema = actionSchema("registerVersion", {
  /** The CustomModel's key, its id (or createModel) and the version (or createVersion) to register. */
  modelKey: z.string(),
  model: PendingIdSchema,
  version: PendingIdSchema,
  /** Label of an existing version; null for one this plan creates. */
  versionLabel: z.string().nullable(),
  /** `{id}`: the next version of this registered model; `{name}`: create it with this first version. */
  registeredModel: z.union([z.strictObject({ id: z.string() }), z.strictObject({ name: z.string() })]),
  /** The version number it should get (for the plan; the server decides). */
  registeredVersion: z.number().int(),
  tags: z.array(TagSchema),
  /** Written right after a registered model is created by name (its description trailer, isGlobal). */
  patch: RegisteredModelPatchSchema.nullable(),
  /** `featureImpact: true`, and this version's feature impact was not computed by this plan. */
  ensureFeatureImpact: z.boolean(),
  /** What the version went through: `passed` its test, `untested`, or `pending` on this plan's runTest. */
  gate: z.enum(["passed", "untested", "pending"]),
});
export type RegisterVersionAction = z.infer<typeof RegisterVersionActionSchema>;

export const UpdateRegisteredModelActionSchema = actionSchema("updateRegisteredModel", {
  registeredModelId: z.string(),
  patch: RegisteredModelPatchSchema,
});
export type UpdateRegisteredModelAction = z.infer<typeof UpdateRegisteredModelActionSchema>;

export type RegisteredModelAction = RegisterVersionAction | UpdateRegisteredModelAction;

/**
 * What deployments on a registered model serve after this plan: its newest registered version,
 * existing or registered by this plan's registerVersion (`packageId`). null when it has none yet.
 */
export interface RegisteredModelChampion {
  package: PendingId;
  registeredVersion: number;
  modelKey: string;
  /** The custom model version's label, when known (null: a version this plan creates, or an older one). */
  modelVersion: string | null;
  /** The version is created by this plan. */
  newVersion: boolean;
  gate: ModelRelease["gate"];
}

export interface RegisteredModelRelease {
  targetType: string;
  champion: RegisteredModelChampion | null;
  /** Why no new version joins it in this plan (a gate, a refusal); null when nothing is held. */
  held: string | null;
  /** The manifest or its model was refused: deployments on it wait too. */
  blocked: boolean;
}

/** Registered model key -> what deployments on it serve. */
export const registeredModelReleases = refSlot<RegisteredModelRelease>(REGISTERED_MODEL);

export function liveRegisteredModels(ctx: PlanContext): LiveRegisteredModels {
  return (
    (ctx.live.resources[REGISTERED_MODEL] as LiveRegisteredModels | undefined) ?? emptyLiveRegisteredModels()
  );
}

/** Digest of the managed fields as declared: `Drgitops-Applied` (tells a UI rename from a manifest edit). */
export function registeredModelFieldsDigest(d: DesiredRegisteredModel): string {
  return sha256Digest(canonicalJson(d.fields));
}

function trailerOf(d: DesiredRegisteredModel): Trailer {
  return { key: d.key, applied: registeredModelFieldsDigest(d) };
}

function expectedOf(live: LiveRegisteredModel): Expected {
  return { id: live.id, latestVersionId: null, updated: live.modifiedAt };
}

/**
 * Registered models: found by the key in their description trailer, else (once, to adopt one whose
 * trailer a crash left unwritten) by name. There is no create call: the first registered version
 * creates the registered model (API.md §13.2). A version is registered once, and only when its
 * model's gate lets it through. Never pruned: DataRobot keeps the versions deployments serve.
 */
export function planRegisteredModel(
  pair: Pair<DesiredRegisteredModel, LiveRegisteredModel>,
  ctx: PlanContext,
): void {
  const d = pair.desired;
  if (!d) return;
  const publish = (release: RegisteredModelRelease): void =>
    ctx.refs.set(registeredModelReleases, d.key, release);
  const release = ctx.refs.get(modelReleases, d.modelKey);
  if (!release) {
    ctx.out.refusals.push({ key: d.key, reason: `its model ${d.modelKey} was not planned`, blocking: true });
    publish({
      targetType: "",
      champion: null,
      held: `its model ${d.modelKey} was not planned`,
      blocked: true,
    });
    return;
  }
  const state = liveRegisteredModels(ctx);
  if (pair.duplicates.length > 0)
    ctx.out.refusals.push({
      key: d.key,
      reason: `${pair.duplicates.length + 1} registered models carry the trailer of ${d.key} (ids ${[pair.live, ...pair.duplicates].map((r) => r?.id).join(", ")}); using ${pair.live?.id}. Remove the trailer from the others.`,
      blocking: false,
    });
  const found = pair.live ? { live: pair.live, adopted: false } : byName(d, release, state, ctx);
  if (found === "refused") {
    publish({ targetType: release.targetType, champion: null, held: "refused", blocked: true });
    return;
  }
  const live = found?.live;
  if (live?.targetType && live.targetType !== release.targetType) {
    ctx.out.refusals.push({
      key: d.key,
      reason: `${sourceOf(d, "spec.model")}: registered model ${live.id} holds ${live.targetType} versions; ${d.modelKey} is ${release.targetType}. Point it at a model of that target type, or give it a new displayName`,
      blocking: true,
    });
    publish({ targetType: release.targetType, champion: null, held: "refused", blocked: true });
    return;
  }

  const actions: RegisteredModelAction[] = [];
  if (live) {
    const update = planFields(d, live, found?.adopted ?? false, ctx);
    if (update) actions.push(update);
  }
  const newest = live ? newestPackage(state.packages, live.id) : undefined;
  const current = newest ? championOf(newest, d, release, live) : null;
  const version = release.version;
  const registered =
    live && version && "id" in version
      ? state.packages.some((p) => p.registeredModelId === live.id && p.versionId === version.id)
      : false;
  let champion = current;
  let held: string | null = null;
  if (release.gate === "blocked") {
    held = `${d.modelKey} was refused: ${release.detail}`;
  } else if (version && !registered && releasable(release)) {
    const register = registerVersion(d, live, release, version, actions);
    actions.push(register);
    champion = {
      package: { fromAction: register.id },
      registeredVersion: register.registeredVersion,
      modelKey: d.modelKey,
      modelVersion: register.versionLabel,
      newVersion: "fromAction" in version,
      gate: release.gate,
    };
  } else if (version && !registered) {
    held = `${d.modelKey}: ${release.detail}`;
    ctx.out.refusals.push({
      key: d.key,
      reason: `not registered: ${held}; ${current ? `deployments keep serving registered version ${current.registeredVersion}` : "nothing is deployed until a version passes"}`,
      blocking: false,
    });
  }
  publish({ targetType: release.targetType, champion, held, blocked: false });
  if (actions.length === 0) ctx.out.unchanged.push(d.key);
  ctx.out.actions.push(...actions);
}

function championOf(
  p: LivePackage,
  d: DesiredRegisteredModel,
  release: ModelRelease,
  live: LiveRegisteredModel | undefined,
): RegisteredModelChampion {
  const version = release.version;
  const label = version && "id" in version && version.id === p.versionId ? version.label : null;
  return {
    package: { id: p.id },
    registeredVersion: p.registeredModelVersion ?? live?.lastVersionNum ?? 0,
    modelKey: d.modelKey,
    modelVersion: label,
    newVersion: false,
    gate: "passed",
  };
}

/**
 * No registered model carries the key: one with the desired name is adopted when every version it
 * has comes from this manifest's model (drgitops made it and was stopped before writing the
 * trailer); any other holder of the name is someone else's and refuses the plan.
 */
function byName(
  d: DesiredRegisteredModel,
  release: ModelRelease,
  state: LiveRegisteredModels,
  ctx: PlanContext,
): { live: LiveRegisteredModel; adopted: boolean } | "refused" | undefined {
  const named = state.registeredModels.find((r) => r.name === d.fields.name);
  if (!named) return undefined;
  const packages = state.packages.filter((p) => p.registeredModelId === named.id);
  const ours =
    named.trailer === null &&
    "id" in release.model &&
    packages.length > 0 &&
    packages.every((p) => p.customModelId === (release.model as { id: string }).id);
  if (ours) return { live: named, adopted: true };
  ctx.out.refusals.push({
    key: d.key,
    reason: `${sourceOf(d, "spec.displayName")}: the registered model name "${d.fields.name}" is taken by ${named.id}${named.trailer ? ` (managed as ${named.trailer.key})` : ", which drgitops does not manage"}; names are unique on DataRobot: choose another displayName`,
    blocking: true,
  });
  return "refused";
}

/** Name, description and isGlobal as declared, plus the trailer; a difference the trailer vouches for is drift. */
function planFields(
  d: DesiredRegisteredModel,
  live: LiveRegisteredModel,
  adopted: boolean,
  ctx: PlanContext,
): UpdateRegisteredModelAction | null {
  const changes: FieldChange[] = [];
  const patch: RegisteredModelPatch = {};
  const liveValues = {
    name: live.name,
    description: stripTrailer(live.description),
    isGlobal: live.isGlobal,
  };
  for (const field of ["name", "description", "isGlobal"] as const) {
    const wanted = field === "description" ? d.fields.description?.trimEnd() : d.fields[field];
    if (wanted === undefined) continue;
    const change = valueChange(field, liveValues[field], wanted);
    if (change) {
      changes.push(change);
      Object.assign(patch, { [field]: wanted });
    }
  }
  const trailer = trailerOf(d);
  const recorded = live.trailer?.key === d.key ? live.trailer.applied : undefined;
  const trailerChanged = recorded !== trailer.applied;
  if (changes.length === 0 && !trailerChanged) return null;
  patch.description = withTrailer(patch.description ?? liveValues.description, trailer);
  const names = changes.map((c) => c.path).join(", ");
  const drifted = changes.length > 0 && recorded === trailer.applied;
  if (drifted) {
    const drift: DriftItem = {
      key: d.key,
      subject: "registered model",
      summary: `${names} changed outside drgitops`,
      changes,
    };
    ctx.out.drift.push(drift);
  }
  const reasons = adopted
    ? [
        `registered model ${live.id} is named "${live.name}" and holds only versions of ${d.modelKey}: adopted (its trailer was never written)`,
      ]
    : drifted
      ? [`restore ${names} changed outside drgitops`]
      : changes.length > 0
        ? [`${names} changed in the manifest`]
        : ["record the applied fields in the registered model's trailer"];
  return {
    type: "updateRegisteredModel",
    id: actionId("updateRegisteredModel", d.key),
    key: d.key,
    reasons,
    changes,
    dependsOn: [],
    expected: expectedOf(live),
    registeredModelId: live.id,
    patch,
  };
}

function registerVersion(
  d: DesiredRegisteredModel,
  live: LiveRegisteredModel | undefined,
  release: ModelRelease,
  version: NonNullable<ModelRelease["version"]>,
  earlier: readonly RegisteredModelAction[],
): RegisterVersionAction {
  const label = "id" in version ? version.label : null;
  const gate = release.gate as RegisterVersionAction["gate"];
  const why =
    gate === "pending"
      ? "a new version, registered once its test passes"
      : gate === "untested"
        ? `${d.modelKey} has no test: its ${"fromAction" in version ? "new" : "latest"} version is registered as it is`
        : `version ${label ?? "(new)"} of ${d.modelKey} passed its test`;
  const next = (live?.lastVersionNum ?? 0) + 1;
  const changes: FieldChange[] = [
    { kind: "value", path: "registeredVersion", before: live?.lastVersionNum || null, after: next },
    { kind: "value", path: "modelVersion", before: null, after: label ?? "(known after apply)" },
  ];
  if (!live)
    for (const [path, after] of Object.entries(d.fields))
      changes.push({ kind: "value", path, before: null, after });
  const fields: RegisteredModelPatch = {};
  if (d.fields.isGlobal !== undefined) fields.isGlobal = d.fields.isGlobal;
  return {
    type: "registerVersion",
    id: actionId("registerVersion", d.key),
    key: d.key,
    reasons: live ? [why] : [why, "the first registered version creates the registered model"],
    changes,
    dependsOn: [
      ...release.after,
      ...("fromAction" in release.model ? [release.model.fromAction] : []),
      // A rename first, so the new version joins the registered model under its desired name.
      ...earlier.map((a) => a.id),
    ].filter((id, i, all) => all.indexOf(id) === i),
    expected: live ? expectedOf(live) : null,
    modelKey: d.modelKey,
    model: release.model,
    version: "id" in version ? { id: version.id } : version,
    versionLabel: label,
    registeredModel: live ? { id: live.id } : { name: d.fields.name },
    registeredVersion: next,
    tags: d.tags,
    patch: live ? null : { ...fields, description: withTrailer(d.fields.description ?? "", trailerOf(d)) },
    ensureFeatureImpact: release.ensureFeatureImpact,
    gate,
  };
}
