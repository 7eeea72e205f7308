import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isNotFound } from "../../client/index.js";
import type { Need } from "../../reconcile/plan-context.js";
import type { FulfilArgs, Fulfilled, KindIo, ObserveArgs } from "../../reconcile/io.js";
import {
  hashZipFile,
  VersionFileCache,
  versionCacheDir,
  type VersionFilesEntry,
} from "../../reconcile/version-cache.js";
import { mapLimit } from "../../spec/map-limit.js";
import { acquireApplyLock } from "./apply-lock.js";
import { createModel, deleteModel, updateModel } from "./apply-model.js";
import { featureImpact } from "./apply-feature-impact.js";
import { buildDependencies, runTest } from "./apply-test.js";
import { annotateVersion, createVersion } from "./apply-version.js";
import { liveModelsFrom, liveTest, type LiveModels, type LiveTest } from "./live.js";

/** API.md §0.5 maximum: the fewer pages, the fewer requests a no-change plan costs. */
const MODELS_PAGE = 1000;

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** One listing of models (each embedding its latest version) and one of credentials. */
async function observe({ client, namespace, signal }: ObserveArgs): Promise<LiveModels> {
  const [models, credentials] = await Promise.all([
    collect(client.customModels.listAll({ limit: MODELS_PAGE }, signal)),
    collect(client.credentials.listAll(signal)),
  ]);
  return liveModelsFrom(namespace, models, credentials);
}

/** Per-file digests of a version: the cache if it has them, else a streamed download, then cached. */
async function versionFiles(
  args: FulfilArgs,
  cache: VersionFileCache,
  modelId: string,
  versionId: string,
  counts: Record<string, number>,
): Promise<VersionFilesEntry> {
  const cached = await cache.get(versionId);
  if (cached) {
    counts["cacheHits"] = (counts["cacheHits"] ?? 0) + 1;
    return cached;
  }
  const dir = await mkdtemp(join(tmpdir(), "drgitops-version-"));
  try {
    const zipPath = join(dir, "version.zip");
    await args.client.versions.download(modelId, versionId, zipPath, args.signal);
    counts["downloads"] = (counts["downloads"] ?? 0) + 1;
    const entry = await hashZipFile(zipPath, versionId);
    // Versions are immutable: the entry never goes stale. A failed write only costs a later download.
    await cache.put(entry).catch(() => undefined);
    return entry;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * What the plan asked for: the latest test where the trailer does not record its outcome, live file
 * digests where the trailer's fingerprint differs from the desired one.
 */
async function fulfil(
  needs: readonly Need[],
  live: LiveModels,
  args: FulfilArgs,
): Promise<Fulfilled<LiveModels>> {
  const cache = new VersionFileCache(versionCacheDir(args.projectRoot));
  const counts: Record<string, number> = { cacheHits: 0, downloads: 0, testsFetched: 0 };
  const latestTests: Record<string, LiveTest | null> = {};
  const files: Record<string, VersionFilesEntry> = {};
  await mapLimit(needs, args.parallelism, async ({ what, params }) => {
    const { modelKey = "", modelId = "", versionId = "" } = params;
    if (what === "latestTest") {
      const page = await args.client.tests.listPage(modelId, { limit: 1 }, args.signal);
      counts["testsFetched"] = (counts["testsFetched"] ?? 0) + 1;
      const test = page.data[0];
      latestTests[modelKey] = test ? liveTest(test) : null;
    } else if (what === "fileDigests") {
      files[versionId] = await versionFiles(args, cache, modelId, versionId, counts);
    }
  });
  return {
    live: {
      ...live,
      latestTests: { ...live.latestTests, ...latestTests },
      versionFiles: {
        ...live.versionFiles,
        ...Object.fromEntries(Object.entries(files).map(([id, e]) => [id, e.files])),
      },
    },
    texts: Object.fromEntries(Object.entries(files).map(([id, e]) => [id, e.texts])),
    counts,
  };
}

export const customModelIo: KindIo<LiveModels> = {
  observe,
  fulfil,
  lock: (args) => acquireApplyLock(args),
  handlers: {
    createModel,
    updateModel,
    deleteModel,
    createVersion,
    annotateVersion,
    buildDependencies,
    runTest,
    featureImpact,
  },
  async current({ id }, { client, signal }) {
    try {
      const m = await client.customModels.get(id, signal);
      return { latestVersionId: m.latestVersion?.id ?? null, updated: m.updated ?? null, gone: false };
    } catch (error) {
      if (isNotFound(error)) return { latestVersionId: null, updated: null, gone: true };
      throw error;
    }
  },
};
