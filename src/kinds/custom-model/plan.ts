import { actionId, type Expected, type PendingId } from "../../reconcile/action.js";
import type { Pair } from "../../reconcile/pair.js";
import { keyOf, prunable, type PlanContext } from "../../reconcile/plan-context.js";
import { sourceOf } from "../../reconcile/state.js";
import { stripTrailer, withTrailer, type Trailer } from "../../reconcile/trailer.js";
import type {
  AnnotateVersionAction,
  BuildDependenciesAction,
  CreateModelAction,
  CreateVersionAction,
  CustomModelAction,
  DeleteModelAction,
  FeatureImpactAction,
  UpdateModelAction,
  VersionSpec,
} from "./actions.js";
import type { DesiredModel } from "./desired.js";
import { versionSpecFingerprint } from "./fingerprint.js";
import type { LiveModel } from "./live.js";
import { managedFields, modelTrailer, planModelFields } from "./plan-fields.js";
import { planTest, type TestDatasets } from "./plan-test.js";
import { publishBlocked, publishRelease } from "./release.js";
import {
  desiredVersionSpec,
  diffVersion,
  resolveDataset,
  specDependencies,
  UnresolvedReference,
} from "./plan-version.js";
import { CUSTOM_MODEL } from "./schema.js";

/** Keys of the manifests a model needs: its environment and datasets, by `ref`. */
export function modelDependencies(d: DesiredModel, namespace: string): string[] {
  const refs = [d.trainingData?.dataset, d.holdoutData?.dataset, d.test?.dataset, d.test?.predictionDataset];
  const keys = refs.flatMap((r) => (r && "ref" in r ? [keyOf(namespace, r.ref)] : []));
  if ("ref" in d.environment) keys.push(keyOf(namespace, d.environment.ref));
  return keys;
}

/**
 * Custom models: identity by `userProvidedId` = key. Model-level fields go in one PATCH, everything
 * version-level in one createVersion, then the dependency build and the test.
 */
export function planCustomModel(pair: Pair<DesiredModel, LiveModel>, ctx: PlanContext): void {
  if (pair.desired) planModel(pair.desired, pair.live, ctx);
  else if (pair.live) planPrune(pair, pair.live, ctx);
}

function expectedOf(live: LiveModel): Expected {
  return { id: live.id, latestVersionId: live.latestVersion?.id ?? null, updated: live.updated };
}

function planModel(d: DesiredModel, live: LiveModel | undefined, ctx: PlanContext): void {
  const key = d.key;
  // Said in every plan, changed or not: nothing gates this model's versions.
  if (d.test === null) ctx.out.untested.push(key);
  if (live && live.targetType !== d.targetType) {
    ctx.out.refusals.push({
      key,
      reason: `${sourceOf(d, "spec.targetType")}: targetType cannot change (live ${live.targetType}, manifest ${d.targetType}); give the model a new name to create another one`,
      blocking: true,
    });
    publishBlocked(d, live, "its targetType change was refused", ctx);
    return;
  }
  let spec: VersionSpec;
  let testDatasets: TestDatasets | null;
  try {
    spec = desiredVersionSpec(d, live, ctx);
    testDatasets = d.test && {
      dataset: d.test.dataset && resolveDataset(d.test.dataset, ctx, "spec.test.dataset"),
      predictionDataset:
        d.test.predictionDataset &&
        resolveDataset(d.test.predictionDataset, ctx, "spec.test.checks.predictionVerification.dataset"),
    };
  } catch (error) {
    if (!(error instanceof UnresolvedReference)) throw error;
    ctx.out.refusals.push({ key, reason: `${sourceOf(d, error.field)}: ${error.message}`, blocking: true });
    publishBlocked(d, live, error.message, ctx);
    return;
  }
  const actions: CustomModelAction[] = [];
  let model: PendingId;
  const modelActions: string[] = [];

  if (!live) {
    const id = actionId("createModel", key);
    model = { fromAction: id };
    modelActions.push(id);
    actions.push(createModel(d, spec, id));
  } else {
    model = { id: live.id };
    const fields = planModelFields(d, live);
    if (fields.drift) ctx.out.drift.push(fields.drift);
    if (Object.keys(fields.patch).length > 0) {
      const id = actionId("updateModel", key);
      modelActions.push(id);
      const update: UpdateModelAction = {
        type: "updateModel",
        id,
        key,
        reasons: fields.reasons,
        changes: fields.changes,
        dependsOn: [],
        expected: expectedOf(live),
        modelId: live.id,
        patch: fields.patch,
      };
      actions.push(update);
    }
  }

  const version = planVersion(d, live, spec, model, modelActions, ctx);
  actions.push(...version.actions);
  const created = version.actions.find((a): a is CreateVersionAction => a.type === "createVersion") ?? null;
  const annotate =
    version.actions.find((a): a is AnnotateVersionAction => a.type === "annotateVersion") ?? null;
  let build: BuildDependenciesAction | null = null;
  if (created && d.hasRequirements) {
    build = {
      type: "buildDependencies",
      id: actionId("buildDependencies", key),
      key,
      reasons: ["the new version has a requirements.txt"],
      changes: [],
      dependsOn: [created.id],
      expected: created.expected,
      model,
      version: { fromAction: created.id },
    };
    actions.push(build);
  }
  actions.push(
    ...planTest(
      {
        d,
        live,
        model,
        createdVersion: created,
        buildDependencies: build,
        annotate,
        inSyncTrailer: version.trailer,
        datasets: testDatasets,
        digestsMissing: version.digestsMissing,
      },
      ctx,
    ),
  );
  if (created && d.featureImpact) actions.push(featureImpact(created, model, actions));
  if (actions.length === 0) ctx.out.unchanged.push(key);
  ctx.out.actions.push(...actions);
  publishRelease(d, live, actions, ctx);
}

/** Feature impact of the new version: after its test (or build), so registration waits for both. */
function featureImpact(
  created: CreateVersionAction,
  model: PendingId,
  actions: readonly CustomModelAction[],
): FeatureImpactAction {
  const before =
    actions.find((a) => a.type === "runTest") ?? actions.find((a) => a.type === "buildDependencies");
  return {
    type: "featureImpact",
    id: actionId("featureImpact", created.key),
    key: created.key,
    reasons: ["featureImpact: true, and the new version has training data"],
    changes: [],
    dependsOn: [(before ?? created).id],
    expected: created.expected,
    model,
    version: { fromAction: created.id },
  };
}

function createModel(d: DesiredModel, spec: VersionSpec, id: string): CreateModelAction {
  const fields = managedFields(d);
  const trailer = modelTrailer(d);
  return {
    type: "createModel",
    id,
    key: d.key,
    reasons: ["no model has this key as its userProvidedId"],
    changes: Object.entries({ targetType: d.targetType, ...fields }).map(([path, after]) => ({
      kind: "value" as const,
      path,
      before: null,
      after,
    })),
    dependsOn: [],
    expected: null,
    body: {
      ...fields,
      name: fields.name ?? d.name,
      description: withTrailer(fields.description ?? "", trailer),
      targetType: d.targetType,
      customModelType: "inference",
      userProvidedId: d.key,
      // Version-level training data needs this switched on first (API.md §6.2).
      ...(spec.trainingData !== null ? { isTrainingDataForVersionsPermanentlyEnabled: true as const } : {}),
    },
  };
}

interface VersionPlan {
  actions: (CreateVersionAction | AnnotateVersionAction)[];
  /** The latest version's trailer when it is (or is made) in sync: its test record lives there. */
  trailer: Trailer | null;
  digestsMissing: boolean;
}

/**
 * In sync when the latest version's trailer fingerprint equals the desired one: no per-file work.
 * Otherwise compare field by field; a version equal to the manifest only gets its trailer
 * (annotateVersion); any difference makes exactly one new version with every change in it.
 */
function planVersion(
  d: DesiredModel,
  live: LiveModel | undefined,
  spec: VersionSpec,
  model: PendingId,
  modelActions: string[],
  ctx: PlanContext,
): VersionPlan {
  const key = d.key;
  const fingerprint = versionSpecFingerprint(spec);
  const latest = live?.latestVersion ?? null;
  const ours = latest?.trailer?.key === key ? latest.trailer : null;
  // The fingerprint records the manifest only, so an override to remove is checked apart (it is listed live).
  const resets = spec.runtimeParameterValues?.some((p) => p.source === "default") ?? false;
  if (latest && ours && fingerprint !== null && ours.fingerprint === fingerprint && !resets)
    return { actions: [], trailer: ours, digestsMissing: false };

  const diff = diffVersion(d, spec, latest, ctx);
  if (diff.digestsMissing && live && latest)
    ctx.out.needs.push({
      kind: CUSTOM_MODEL,
      what: "fileDigests",
      params: { modelKey: key, modelId: live.id, versionId: latest.id },
    });
  const expected = live ? expectedOf(live) : null;
  if (latest && live && diff.changes.length === 0 && !diff.digestsMissing && fingerprint !== null) {
    const trailer: Trailer = { ...(ours ?? {}), key, fingerprint };
    return {
      trailer,
      digestsMissing: false,
      actions: [
        {
          type: "annotateVersion",
          id: actionId("annotateVersion", key),
          key,
          reasons: [
            ours
              ? "the version equals the manifest; its trailer fingerprint is out of date"
              : `version ${latest.label} has no drgitops trailer but equals the manifest`,
          ],
          changes: [
            {
              kind: "value",
              path: "trailer.fingerprint",
              before: ours?.fingerprint ?? null,
              after: fingerprint,
            },
          ],
          dependsOn: [],
          expected,
          modelId: live.id,
          versionId: latest.id,
          body: stripTrailer(latest.description),
          trailer,
        },
      ],
    };
  }

  const reasons: string[] = [];
  if (!live) reasons.push("first version of a new model");
  else if (!latest) reasons.push("the model has no version");
  else if (!ours) {
    reasons.push(`version ${latest.label} was made outside drgitops and differs from the manifest`);
    ctx.out.drift.push({
      key,
      subject: "version",
      summary: `latest version ${latest.label} was created outside drgitops`,
      changes: diff.changes,
    });
  } else {
    const changed = [
      ...new Set(diff.changes.map((c) => (c.kind === "file" ? "files" : c.path.split(".")[0]))),
    ];
    reasons.push(changed.length > 0 ? `${changed.join(", ")} changed` : "the version fingerprint changed");
  }
  if (diff.digestsMissing) reasons.push("live file digests unavailable: every file is uploaded");

  const clean = latest === null;
  const uploads = clean
    ? d.files.map((f) => ({ path: f.path, localPath: f.localPath, sha256: f.sha256, size: f.size }))
    : (diff.files?.uploads ?? []);
  const action: CreateVersionAction = {
    type: "createVersion",
    id: actionId("createVersion", key),
    key,
    reasons,
    changes: diff.changes,
    dependsOn: [...modelActions, ...specDependencies(spec)],
    expected,
    model,
    mode: clean ? "clean" : "fromPrevious",
    uploads,
    deletions: clean ? [] : (diff.files?.deletions ?? []),
    // A minor version over a frozen one is refused (API.md §2.5); the first version is 1.0 either way.
    isMajorUpdate: latest ? latest.isFrozen : true,
    version: spec,
    enableTrainingDataForVersions:
      spec.trainingData !== null && live !== undefined && !live.isTrainingDataForVersionsPermanentlyEnabled,
    fingerprint,
  };
  return { actions: [action], trailer: null, digestsMissing: diff.digestsMissing };
}

/** Prune: only with --prune, never protected or deployed; --max-deletions is enforced by the caller. */
function planPrune(pair: Pair<DesiredModel, LiveModel>, live: LiveModel, ctx: PlanContext): void {
  if (!ctx.options.prune || !prunable(pair.key, ctx)) return;
  if (live.trailer?.protected) {
    ctx.out.refusals.push({
      key: pair.key,
      reason: `not pruned: protected (Drgitops-Protected: true in model ${live.id}'s description); restore its manifest with lifecycle.protected: false and apply, then prune`,
      blocking: false,
    });
    return;
  }
  if (live.deploymentsCount > 0) {
    ctx.out.refusals.push({
      key: pair.key,
      reason: `not pruned: model ${live.id} has ${live.deploymentsCount} deployment(s); delete them first`,
      blocking: false,
    });
    return;
  }
  const deletion: DeleteModelAction = {
    type: "deleteModel",
    id: actionId("deleteModel", pair.key),
    key: pair.key,
    reasons: ["no manifest declares this key (--prune)"],
    changes: [{ kind: "value", path: "model", before: live.name, after: null }],
    dependsOn: [],
    expected: expectedOf(live),
    modelId: live.id,
  };
  ctx.out.deletions.push(deletion);
}
