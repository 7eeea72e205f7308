import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { CreateVersionFromPreviousInput } from "../../client/index.js";
import { DrgitopsError } from "../../errors.js";
import { gitModelVersionOf } from "../../git/index.js";
import { keyedDigest } from "../../spec/digest.js";
import { hashFile } from "../../spec/hash-file.js";
import { handlerFor, type ApplyContext, type HandlerArgs, type Outcome } from "../../reconcile/io.js";
import { withTrailer, type Trailer } from "../../reconcile/trailer.js";
import {
  MAX_KEPT_TEXT_BYTES,
  textOf,
  VersionFileCache,
  versionCacheDir,
  type VersionFilesEntry,
} from "../../reconcile/version-cache.js";
import type { AnnotateVersionAction, CreateVersionAction, RuntimeParameterValue } from "./actions.js";
import { versionSpecFingerprint } from "./fingerprint.js";

/** A planned input no longer matches what the plan saw: the action is stale, not failed. */
class Stale extends DrgitopsError {
  constructor(message: string) {
    super("stale-action", message);
  }
}

/**
 * Reads a planned runtime value; a sensitive one from its environment variable, checked against the
 * plan's hash; null for a reset (API.md §2.7). The error names the variable, never the value.
 */
export function runtimeValue(
  p: RuntimeParameterValue,
  env: NodeJS.ProcessEnv,
  secretKey: string,
): string | number | boolean | null {
  if (p.source === "value") return p.value;
  if (p.source === "default") return null;
  const raw = env[p.envVar];
  if (raw === undefined)
    throw new Stale(`${p.fieldName}: environment variable ${p.envVar} is not set; export it and re-run`);
  if (keyedDigest(secretKey, raw) !== p.valueHash)
    throw new Stale(
      `${p.fieldName}: the value of ${p.envVar} changed since the plan was made; run plan again`,
    );
  return raw;
}

/** The multipart fields of the new version: changed files only, deletions, every managed field. */
async function versionInput(
  action: CreateVersionAction,
  context: ApplyContext,
  resolve: HandlerArgs["resolve"],
): Promise<CreateVersionFromPreviousInput> {
  const spec = action.version;
  const files = action.uploads.map((u) => ({
    filePath: u.path,
    absPath: join(context.projectRoot, u.localPath),
  }));
  // A file edited after the plan was made would be uploaded under a fingerprint it does not have.
  for (const [i, u] of action.uploads.entries()) {
    if ((await hashFile(files[i]!.absPath)) !== u.sha256)
      throw new Stale(`${u.localPath} changed since the plan was made; run plan again`);
  }
  const env = spec.environment;
  const environment =
    env === null
      ? {}
      : "fromAction" in env
        ? {
            baseEnvironmentId: resolve(env, "environmentId"),
            baseEnvironmentVersionId: resolve(env, "environmentVersionId"),
          }
        : { baseEnvironmentId: env.id, baseEnvironmentVersionId: env.versionId };
  const training = spec.trainingData;
  const holdout = spec.holdoutData;
  return {
    files,
    filesToDelete: action.mode === "fromPrevious" ? action.deletions.map((d) => d.itemId) : [],
    isMajorUpdate: action.isMajorUpdate,
    ...environment,
    // The desired resources are keyed by their wire names (fields.ts): sent as they are.
    ...(spec.resources ?? {}),
    ...(spec.runtimeParameterValues
      ? {
          runtimeParameterValues: spec.runtimeParameterValues.map((p) => ({
            fieldName: p.fieldName,
            type: p.type,
            value: runtimeValue(p, context.env, context.secretKey),
          })),
        }
      : {}),
    ...(training
      ? {
          trainingData: { datasetId: resolve(training.dataset, "datasetId") },
          ...(training.partitionColumn ? { holdoutData: { partitionColumn: training.partitionColumn } } : {}),
        }
      : {}),
    ...(holdout ? { holdoutData: { datasetId: resolve(holdout.dataset, "datasetId") } } : {}),
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
  cache: VersionFileCache,
  versionId: string,
  itemPaths: string[],
): Promise<VersionFilesEntry | undefined> {
  const files = action.version.files;
  if (files === null) return undefined;
  const previousId = action.mode === "fromPrevious" ? action.expected?.latestVersionId : undefined;
  const previous = previousId ? await cache.get(previousId) : undefined;
  if (action.mode === "fromPrevious" && !previous) return undefined;
  const sizes = new Map(previous?.files.map((f) => [f.path, f.size]));
  const texts: Record<string, string> = { ...previous?.texts };
  for (const u of action.uploads) {
    sizes.set(u.path, u.size);
    delete texts[u.path];
    if (u.size <= MAX_KEPT_TEXT_BYTES) {
      const text = textOf(await readFile(join(context.projectRoot, u.localPath)));
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
export const createVersion = handlerFor<CreateVersionAction>(
  "createVersion",
  async (args): Promise<Outcome> => {
    const { action, context, signal, progress, resolve } = args;
    const { client } = context;
    const modelId = resolve(action.model, "modelId");
    const fingerprint = action.fingerprint ?? versionSpecFingerprint(action.version, args.produced());
    if (fingerprint === null)
      return {
        status: "failed",
        message:
          "the version fingerprint depends on an id no earlier action produced; the plan is inconsistent",
      };
    let input: CreateVersionFromPreviousInput;
    try {
      input = await versionInput(action, context, resolve);
    } catch (error) {
      if (error instanceof Stale) return { status: "skipped", reason: "stale", message: error.message };
      throw error;
    }
    if (action.enableTrainingDataForVersions)
      await client.customModels.update(
        modelId,
        { isTrainingDataForVersionsPermanentlyEnabled: true },
        signal,
      );
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
    await client.versions.update(modelId, version.id, { description: withTrailer("", trailer) }, signal);
    const cache = new VersionFileCache(versionCacheDir(context.projectRoot));
    const entry = await cacheEntryFor(
      action,
      context,
      cache,
      version.id,
      version.items.map((i) => i.filePath),
    );
    // The cache only saves a download later; failing to write it must not fail the version.
    if (entry) await cache.put(entry).catch(() => undefined);
    return {
      status: "succeeded",
      message: `version ${version.label ?? `${version.versionMajor}.${version.versionMinor}`} (${version.id})`,
      produced: { modelId, versionId: version.id },
    };
  },
);

/** A latest version equal to the manifest but without a trailer (a crash before PATCH): annotate it. */
export const annotateVersion = handlerFor<AnnotateVersionAction>(
  "annotateVersion",
  async ({ action, context, signal }) => {
    const trailer: Trailer = {
      ...action.trailer,
      ...(context.provenance ? { commit: context.provenance.shortSha } : {}),
    };
    await context.client.versions.update(
      action.modelId,
      action.versionId,
      { description: withTrailer(action.body, trailer) },
      signal,
    );
    return {
      status: "succeeded",
      message: `annotated ${action.versionId}`,
      produced: { modelId: action.modelId, versionId: action.versionId },
    };
  },
);
