import { readFile } from "node:fs/promises";
import {
  RuntimeParameterValueSchema as WireRuntimeParameterValue,
  type CreateVersionFromPreviousInput,
} from "../../../client/index.js";
import { gitModelVersionOf } from "../../../git/index.js";
import { hashFile } from "../../../spec/index.js";
import { versionSpecFingerprint, type ResolvedIds } from "../../fingerprint.js";
import type { CreateVersionAction } from "../../plan-file.js";
import { MAX_KEPT_TEXT_BYTES, textOf, type VersionFilesEntry } from "../../observe-files.js";
import { withTrailer, type Trailer } from "../../trailer.js";
import { produce, resolveId, type ApplyContext } from "../context.js";
import { StaleActionError } from "../executor.js";
import { on } from "../registry.js";
import { retrySafe } from "./retry.js";
import { runtimeValue } from "./sensitive.js";

/** Ids produced so far, in the shape `versionSpecFingerprint` resolves `fromAction` references with. */
function resolvedIds(context: ApplyContext): ResolvedIds {
  const datasets: Record<string, string> = {};
  const environments: Record<string, { id: string; versionId: string }> = {};
  for (const [actionId, ids] of context.produced) {
    if (ids.datasetId) datasets[actionId] = ids.datasetId;
    if (ids.environmentId && ids.environmentVersionId)
      environments[actionId] = { id: ids.environmentId, versionId: ids.environmentVersionId };
  }
  return { datasets, environments };
}

/** The multipart fields of the new version: changed files only, deletions, every managed field. */
async function versionInput(
  action: CreateVersionAction,
  context: ApplyContext,
): Promise<CreateVersionFromPreviousInput> {
  const spec = action.version;
  // A file edited after the plan was made would be uploaded under a fingerprint it does not have.
  for (const u of action.uploads) {
    if ((await hashFile(u.absPath)) !== u.sha256)
      throw new StaleActionError(`${u.absPath} changed since the plan was made; run plan again`);
  }
  const env = spec.environment;
  const environment =
    env === null
      ? {}
      : "fromAction" in env
        ? {
            baseEnvironmentId: resolveId(context, env, "environmentId"),
            baseEnvironmentVersionId: resolveId(context, env, "environmentVersionId"),
          }
        : { baseEnvironmentId: env.id, baseEnvironmentVersionId: env.versionId };
  const training = spec.trainingData;
  const holdout = spec.holdoutData;
  return {
    files: action.uploads.map((u) => ({ filePath: u.path, absPath: u.absPath })),
    filesToDelete: action.mode === "fromPrevious" ? action.deletions.map((d) => d.itemId) : [],
    isMajorUpdate: action.isMajorUpdate,
    ...environment,
    ...(spec.resources ?? {}),
    ...(spec.runtimeParameterValues
      ? {
          runtimeParameterValues: spec.runtimeParameterValues.map((p) => ({
            fieldName: p.fieldName,
            type: WireRuntimeParameterValue.shape.type.parse(p.type),
            value: runtimeValue(p, context.env),
          })),
        }
      : {}),
    ...(training
      ? {
          trainingData: { datasetId: resolveId(context, training.dataset, "datasetId") },
          ...(training.partitionColumn ? { holdoutData: { partitionColumn: training.partitionColumn } } : {}),
        }
      : {}),
    ...(holdout ? { holdoutData: { datasetId: resolveId(context, holdout.dataset, "datasetId") } } : {}),
    ...(context.provenance ? { gitModelVersion: gitModelVersionOf(context.provenance) } : {}),
  };
}

/**
 * What the version cache should hold for the new version: kept files from the previous version's
 * entry, uploads from disk. Undefined when the previous entry is unknown (the next plan will
 * download instead) or when the server's item list disagrees with the plan.
 */
async function cacheEntryFor(
  action: CreateVersionAction,
  context: ApplyContext,
  versionId: string,
  itemPaths: string[],
): Promise<VersionFilesEntry | undefined> {
  const files = action.version.files;
  if (files === null) return undefined;
  const previousId = action.mode === "fromPrevious" ? action.expected?.latestVersionId : undefined;
  const previous = previousId ? await context.versionCache.get(previousId) : undefined;
  if (action.mode === "fromPrevious" && !previous) return undefined;
  const sizes = new Map(previous?.files.map((f) => [f.path, f.size]));
  const texts: Record<string, string> = { ...previous?.texts };
  for (const u of action.uploads) {
    sizes.set(u.path, u.size);
    delete texts[u.path];
    if (u.size <= MAX_KEPT_TEXT_BYTES) {
      const text = textOf(await readFile(u.absPath));
      if (text !== undefined) texts[u.path] = text;
    }
  }
  const wanted = new Set(files.map((f) => f.path));
  if (itemPaths.length !== wanted.size || itemPaths.some((p) => !wanted.has(p))) return undefined;
  for (const path of Object.keys(texts)) if (!wanted.has(path)) delete texts[path];
  const entry = files.map((f) => ({ path: f.path, sha256: f.sha256, size: sizes.get(f.path) }));
  if (entry.some((f) => f.size === undefined)) return undefined;
  return {
    versionId,
    files: entry.map((f) => ({ path: f.path, sha256: f.sha256, size: f.size ?? 0 })),
    texts,
  };
}

/**
 * One change, one version: PATCH versions/ from the latest (or POST clean) with only new and
 * changed files, then the trailer right away so the next plan needs no download.
 */
export const createVersion = on("createVersion", async ({ action, context, signal, task, progress }) => {
  const { client } = context;
  const modelId = resolveId(context, action.model, "modelId");
  const fingerprint = action.fingerprint ?? versionSpecFingerprint(action.version, resolvedIds(context));
  if (fingerprint === null)
    throw new Error(
      "the version fingerprint depends on an id no earlier action produced; the plan is inconsistent",
    );
  if (action.enableTrainingDataForVersions) {
    await retrySafe(
      () =>
        client.customModels.update(modelId, { isTrainingDataForVersionsPermanentlyEnabled: true }, signal),
      signal,
    );
  }
  const input = await versionInput(action, context);
  progress(`uploading ${action.uploads.length} files, deleting ${action.deletions.length}`);
  const version =
    action.mode === "clean"
      ? await client.versions.createClean(modelId, input, signal)
      : await client.versions.createFromPrevious(modelId, input, signal);
  const trailer: Trailer = {
    key: action.key,
    fingerprint,
    ...(context.provenance ? { commit: context.provenance.shortSha } : {}),
  };
  await retrySafe(
    () => client.versions.update(modelId, version.id, { description: withTrailer("", trailer) }, signal),
    signal,
  );
  produce(context, task.id, { modelId, versionId: version.id });
  const entry = await cacheEntryFor(
    action,
    context,
    version.id,
    version.items.map((i) => i.filePath),
  );
  // The cache only saves a download later; failing to write it must not fail the version.
  if (entry) await context.versionCache.put(entry).catch(() => undefined);
  return `version ${version.label ?? `${version.versionMajor}.${version.versionMinor}`} (${version.id})`;
});

/** A latest version equal to the manifest but without a trailer (a crash before PATCH): annotate it. */
export const annotateVersion = on("annotateVersion", async ({ action, context, signal, task }) => {
  const trailer: Trailer = {
    ...action.trailer,
    ...(context.provenance ? { commit: context.provenance.shortSha } : {}),
  };
  await retrySafe(
    () =>
      context.client.versions.update(
        action.modelId,
        action.versionId,
        { description: withTrailer(action.body, trailer) },
        signal,
      ),
    signal,
  );
  produce(context, task.id, { modelId: action.modelId, versionId: action.versionId });
  return `annotated ${action.versionId}`;
});
