import { DrgitopsError } from "../../errors.js";
import type { FieldChange, PendingId } from "../../reconcile/action.js";
import { diffFiles, sameScalar, valueChange, type FileDiff } from "../../reconcile/diff.js";
import { keyOf, type PlanContext } from "../../reconcile/plan-context.js";
import { RuntimeParameterTypeSchema } from "../../client/wire/version.js";
import { compareCodePoints, keyedDigest } from "../../spec/digest.js";
import { memoByIdentity } from "../../spec/memo.js";
import type { DatasetRef } from "../../spec/schema/common.js";
import { datasetRefs } from "../dataset/plan.js";
import { liveOf } from "../kind.js";
import { environmentRefs, type EnvironmentResolution } from "../execution-environment/plan.js";
import { datasetKind } from "../dataset/index.js";
import { executionEnvironmentKind } from "../execution-environment/index.js";
import type { LiveEnvironment, LiveEnvironmentVersion } from "../execution-environment/live.js";
import { EXECUTION_ENVIRONMENT } from "../execution-environment/schema.js";
import type { RuntimeParameterValue, VersionSpec, VersionSpecField } from "./actions.js";
import type { DesiredFile, DesiredModel, Scalar } from "./desired.js";
import { RESOURCE_FIELDS, type VersionResources } from "./fields.js";
import { emptyLiveModels, type LiveModel, type LiveModels, type LiveVersion } from "./live.js";
import { CUSTOM_MODEL, type EnvironmentRef } from "./schema.js";

/** Shown for an id this plan creates (Terraform's "known after apply"). */
export const KNOWN_AFTER_APPLY = "(known after apply)";

/** Stands for a live text value the plan must not reveal. */
export const HIDDEN = "(current value hidden)";

/** Shown for a runtime parameter whose override is removed: model-metadata.yaml's default applies. */
export const DEFAULT_VALUE = "(default)";

/** A reference the plan cannot resolve: a manifest problem, reported and the model left alone. */
export class UnresolvedReference extends DrgitopsError {
  /** The manifest field holding the reference (dotted), for the refusal's position. */
  readonly field: string;
  constructor(field: string, message: string) {
    super("unresolved-reference", message);
    this.field = field;
  }
}

/** A version's files as the spec holds them, once per desired file list (the fingerprint memo's key). */
const specFiles = memoByIdentity((files: readonly DesiredFile[]) =>
  files.map((f) => ({ path: f.path, sha256: f.sha256 })),
);

/**
 * The version the manifest asks for, with references resolved against the live state and the
 * earlier kinds' actions. A field under `lifecycle.ignoreChanges` is not managed: never in the
 * fingerprint, never diffed, sent only with a model's first version (as Terraform creates with it).
 */
export function desiredVersionSpec(
  d: DesiredModel,
  live: LiveModel | undefined,
  ctx: PlanContext,
): VersionSpec {
  const latest = live?.latestVersion ?? null;
  const unmanaged = (Object.keys(IGNORE_NAMES) as VersionSpecField[]).filter((f) =>
    d.lifecycle.ignoreChanges.includes(IGNORE_NAMES[f]),
  );
  // Once a version exists an ignored field is not sent: the new version inherits the live value.
  const sent = <T>(field: VersionSpecField, value: () => T): T | null =>
    latest !== null && unmanaged.includes(field) ? null : value();
  const resources: VersionResources = { ...d.resources };
  const training = d.trainingData;
  const holdout = d.holdoutData;
  return {
    files: sent("files", () => specFiles(d.files)),
    environment: sent("environment", () => resolveEnvironment(d.environment, latest, ctx)),
    resources: sent("resources", () => resources),
    runtimeParameterValues: sent("runtimeParameterValues", () => [
      ...d.runtimeParameters.map((p): RuntimeParameterValue =>
        p.source === "sensitive"
          ? { source: "sensitive", fieldName: p.name, type: p.type, envVar: p.envVar, valueHash: p.valueHash }
          : {
              source: "value",
              fieldName: p.name,
              type: p.type,
              value: p.source === "credential" ? p.credentialId : p.value,
            },
      ),
      ...overrideResets(d, latest, !unmanaged.includes("files")),
    ]),
    trainingData:
      training === null
        ? null
        : sent("trainingData", () => ({
            dataset: resolveDataset(training.dataset, ctx, "spec.trainingData.dataset"),
            ...(training.partitionColumn !== undefined ? { partitionColumn: training.partitionColumn } : {}),
          })),
    holdoutData:
      holdout === null
        ? null
        : sent("holdoutData", () => ({
            dataset: resolveDataset(holdout.dataset, ctx, "spec.holdoutData.dataset"),
          })),
    unmanaged,
  };
}

/**
 * Live overrides the manifest does not set, removed so the default applies. Only those the new version
 * still defines with the same type: the server drops the others itself, and refuses a reset of them.
 */
function overrideResets(
  d: DesiredModel,
  latest: LiveVersion | null,
  filesUploaded: boolean,
): RuntimeParameterValue[] {
  // With or without a `runtimeParameters` block, the manifest lists every override: one set elsewhere is drift.
  const set = new Set(d.runtimeParameters.map((p) => p.name));
  const defined = (name: string, type: string): boolean =>
    !filesUploaded || d.runtimeParameterDefinitions.some((def) => def.name === name && def.type === type);
  return (latest?.runtimeParameters ?? [])
    .filter((l) => l.overrideValue !== null && !set.has(l.fieldName) && defined(l.fieldName, l.type))
    .flatMap((l): RuntimeParameterValue[] => {
      // A type this drgitops does not know cannot be sent back (API.md §10.2 lists them all).
      const type = RuntimeParameterTypeSchema.safeParse(l.type);
      return type.success ? [{ source: "default", fieldName: l.fieldName, type: type.data }] : [];
    })
    .sort((a, b) => compareCodePoints(a.fieldName, b.fieldName));
}

/** The manifest field (`ignoreChanges` entry) behind each version-level field. */
const IGNORE_NAMES: Record<VersionSpecField, string> = {
  files: "source",
  environment: "environment",
  resources: "resources",
  runtimeParameterValues: "runtimeParameters",
  trainingData: "trainingData",
  holdoutData: "holdoutData",
};

/** A dataset reference as an id, or the upload producing it; an id DataRobot does not have is refused now. */
export function resolveDataset(ref: DatasetRef, ctx: PlanContext, field: string): PendingId {
  if ("id" in ref) {
    const { datasets } = liveOf(datasetKind, ctx.live);
    if (!datasets.some((d) => d.id === ref.id))
      throw new UnresolvedReference(
        field,
        `no catalog dataset has id ${ref.id}; check the id (or use {ref: <Dataset manifest>})`,
      );
    return { id: ref.id };
  }
  const resolved = ctx.refs.get(datasetRefs, keyOf(ctx.desired.namespace, ref.ref));
  if (!resolved) throw new UnresolvedReference(field, `dataset ref "${ref.ref}" names no Dataset manifest`);
  return resolved;
}

/**
 * `{id}` without a version follows API.md §2.4: the version the model already uses when it is on
 * that environment, else the environment's latest successful build. So a later build of an
 * environment drgitops does not manage never silently moves a model.
 */
function resolveEnvironment(
  ref: EnvironmentRef,
  latest: LiveVersion | null,
  ctx: PlanContext,
): EnvironmentResolution {
  const field = "spec.environment";
  if ("ref" in ref) {
    const resolved = ctx.refs.get(environmentRefs, keyOf(ctx.desired.namespace, ref.ref));
    if (!resolved)
      throw new UnresolvedReference(
        field,
        `environment ref "${ref.ref}" names no ExecutionEnvironment manifest`,
      );
    return resolved;
  }
  const { environments, versions } = liveOf(executionEnvironmentKind, ctx.live);
  let env;
  if ("id" in ref) {
    env = environments.find((e) => e.id === ref.id);
    if (!env) throw new UnresolvedReference(field, `no execution environment has id ${ref.id}`);
    if (ref.versionId !== undefined) return environmentVersion(env, ref.versionId, versions[env.id], ctx);
  } else {
    const named = environments.filter((e) => e.name === ref.name);
    if (named.length !== 1)
      throw new UnresolvedReference(
        field,
        named.length === 0
          ? `no execution environment is named "${ref.name}"`
          : `${named.length} execution environments are named "${ref.name}" (ids ${named.map((e) => e.id).join(", ")}); use {id: ...}`,
      );
    env = named[0]!;
  }
  if (latest?.baseEnvironmentId === env.id && latest.baseEnvironmentVersionId !== null)
    return { id: env.id, versionId: latest.baseEnvironmentVersionId };
  const versionId = env.latestSuccessfulVersion?.id;
  if (versionId === undefined)
    throw new UnresolvedReference(
      field,
      `execution environment ${env.name} (${env.id}) has no successfully built version`,
    );
  return { id: env.id, versionId };
}

/**
 * `{id, versionId}`: the version must exist and be built. The listing shows two versions of each
 * environment; for any other the plan asks for the environment's versions and judges it once known.
 */
function environmentVersion(
  env: LiveEnvironment,
  versionId: string,
  all: readonly LiveEnvironmentVersion[] | undefined,
  ctx: PlanContext,
): EnvironmentResolution {
  const listed = [env.latestVersion, env.latestSuccessfulVersion].find((v) => v?.id === versionId);
  const version = listed ?? all?.find((v) => v.id === versionId);
  if (version === undefined && all === undefined) {
    ctx.out.needs.push({ kind: EXECUTION_ENVIRONMENT, what: "versions", params: { environmentId: env.id } });
    return { id: env.id, versionId };
  }
  if (version === undefined)
    throw new UnresolvedReference(
      "spec.environment",
      `execution environment ${env.name} (${env.id}) has no version ${versionId}`,
    );
  if (version.buildStatus !== "success")
    throw new UnresolvedReference(
      "spec.environment",
      `version ${versionId} of execution environment ${env.name} is not built (build ${version.buildStatus}); use a built version`,
    );
  return { id: env.id, versionId };
}

export interface VersionDiff {
  changes: FieldChange[];
  /** null when files are not managed. */
  files: FileDiff | null;
  /** Live per-file digests were needed and missing: files could not be compared. */
  digestsMissing: boolean;
}

/** Field-by-field difference between a live version (null: none yet) and the desired spec. */
export function diffVersion(
  d: DesiredModel,
  spec: VersionSpec,
  latest: LiveVersion | null,
  ctx: PlanContext,
): VersionDiff {
  const changes: FieldChange[] = [];
  const push = (c: FieldChange | null): void => {
    if (c) changes.push(c);
  };
  const liveFiles = latest === null ? [] : liveModels(ctx).versionFiles[latest.id];
  const files = spec.files === null ? null : diffFiles(d.files, liveFiles, latest?.items ?? []);
  if (spec.environment !== null) {
    const before = latest && { id: latest.baseEnvironmentId, versionId: latest.baseEnvironmentVersionId };
    push(
      valueChange(
        "environment",
        before,
        "fromAction" in spec.environment ? KNOWN_AFTER_APPLY : spec.environment,
      ),
    );
  }
  if (spec.resources !== null) {
    const r = spec.resources;
    for (const { wire } of RESOURCE_FIELDS)
      if (r[wire] !== undefined) push(valueChange(`resources.${wire}`, latest?.[wire], r[wire]));
  }
  for (const p of spec.runtimeParameterValues ?? []) {
    const live = latest?.runtimeParameters.find((l) => l.fieldName === p.fieldName)?.overrideValue ?? null;
    const path = `runtimeParameters.${p.fieldName}`;
    if (p.source === "default") {
      push(valueChange(path, shownLive(live, p.type), DEFAULT_VALUE));
    } else if (p.source === "sensitive") {
      // Compared by hash; neither side's value ever enters the plan.
      if (live === null || keyedDigest(ctx.secretKey, String(live)) !== p.valueHash)
        changes.push({ kind: "sensitive", path });
    } else if (!sameScalar(live, p.value)) {
      push(valueChange(path, shownLive(live, p.type), p.value));
    }
  }
  if (spec.trainingData !== null) {
    push(datasetChange("trainingData.dataset", latest?.trainingData?.datasetId, spec.trainingData.dataset));
    push(
      valueChange(
        "trainingData.partitionColumn",
        latest?.holdoutData?.partitionColumn,
        spec.trainingData.partitionColumn,
      ),
    );
  }
  if (spec.holdoutData !== null)
    push(datasetChange("holdoutData.dataset", latest?.holdoutData?.datasetId, spec.holdoutData.dataset));
  const digestsMissing = files !== null && latest !== null && liveFiles === undefined;
  return { changes: [...(files?.changes ?? []), ...changes], files, digestsMissing };
}

/** A live text value may be a secret set as sensitive before (or in the UI): never shown. */
function shownLive(live: Scalar | null, type: string): Scalar | null {
  return typeof live === "string" && type !== "credential" ? HIDDEN : live;
}

function datasetChange(
  path: string,
  live: string | null | undefined,
  desired: PendingId,
): FieldChange | null {
  return valueChange(path, live, "fromAction" in desired ? KNOWN_AFTER_APPLY : desired.id);
}

/** Actions of this plan a version spec waits for (environment builds, dataset uploads). */
export function specDependencies(spec: VersionSpec): string[] {
  const ids: string[] = [];
  const add = (p: PendingId | EnvironmentResolution | null | undefined): void => {
    if (p && "fromAction" in p) ids.push(p.fromAction);
  };
  add(spec.environment);
  add(spec.trainingData?.dataset);
  add(spec.holdoutData?.dataset);
  return ids;
}

/** The custom model kind's live part of the plan's live state. */
export function liveModels(ctx: PlanContext): LiveModels {
  return (ctx.live.resources[CUSTOM_MODEL] as LiveModels | undefined) ?? emptyLiveModels();
}
