import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CustomModelTest, DataRobotClient } from "../client/index.js";
import type { DesiredState } from "./desired.js";
import { liveStateFrom, liveTest, type LiveState, type LiveStateInput } from "./live.js";
import type { VersionFileCache } from "./observe-files.js";
import { hashZipFile, type VersionFilesEntry } from "./observe-files.js";
import { modelsNeedingLatestTest, versionsNeedingFileDigests, type BuildPlanOptions } from "./plan.js";

/** API.md §0.5 maxima: the fewer pages, the fewer requests a no-change plan costs. */
const MODELS_PAGE = 1000;
const DATASETS_PAGE = 1000;
const ENVIRONMENTS_PAGE = 100;

async function collectAll<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/**
 * Step 1 of observing: one listing each of models (each embedding its latest version),
 * environments, datasets and credentials. O(pages) requests whatever the number of models.
 */
export async function observeListings(
  client: DataRobotClient,
  namespace: string,
  signal?: AbortSignal,
): Promise<LiveState> {
  const [models, environments, datasets, credentials] = await Promise.all([
    collectAll(client.customModels.listAll({ limit: MODELS_PAGE }, signal)),
    collectAll(client.environments.listAll({ limit: ENVIRONMENTS_PAGE }, signal)),
    collectAll(client.datasets.listAll({ limit: DATASETS_PAGE }, signal)),
    collectAll(client.credentials.listAll(signal)),
  ]);
  const input: LiveStateInput = { namespace, models, environments, datasets, credentials };
  return liveStateFrom(input);
}

export interface DetailOptions {
  client: DataRobotClient;
  cache: VersionFileCache;
  planOptions?: BuildPlanOptions;
  /** Downloads and test fetches in flight at once. */
  parallelism?: number;
  signal?: AbortSignal;
}

export interface ObservedDetails {
  live: LiveState;
  /** Version id -> path -> text of small text files, for unified diffs in the human plan. */
  liveTexts: Record<string, Record<string, string>>;
  /** How the per-file digests were obtained, for the bench and debug output. */
  counts: { cacheHits: number; downloads: number; testsFetched: number };
}

/** Runs `work` over `items` with at most `limit` in flight. */
async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]!;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/** Per-file digests of a version: the cache if it has them, else a streamed download, then cached. */
async function versionFiles(
  options: DetailOptions,
  modelId: string,
  versionId: string,
  counts: ObservedDetails["counts"],
): Promise<VersionFilesEntry> {
  const cached = await options.cache.get(versionId);
  if (cached) {
    counts.cacheHits += 1;
    return cached;
  }
  const dir = await mkdtemp(join(tmpdir(), "drgitops-version-"));
  try {
    const zipPath = join(dir, "version.zip");
    await options.client.versions.download(modelId, versionId, zipPath, options.signal);
    counts.downloads += 1;
    const entry = await hashZipFile(zipPath, versionId);
    // Versions are immutable: the entry never goes stale. A failed write only costs a later download.
    await options.cache.put(entry).catch(() => undefined);
    return entry;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Step 2: only what the pure helpers ask for. The latest test where the trailer does not record
 * its outcome; live file digests where the trailer's fingerprint differs from the desired one.
 */
export async function observeDetails(
  desired: DesiredState,
  listed: LiveState,
  options: DetailOptions,
): Promise<ObservedDetails> {
  const limit = options.parallelism ?? 4;
  const counts = { cacheHits: 0, downloads: 0, testsFetched: 0 };
  const latestTests: Record<string, CustomModelTest | null> = {};
  const files: Record<string, VersionFilesEntry> = {};
  await Promise.all([
    eachLimited(modelsNeedingLatestTest(desired, listed, options.planOptions), limit, async (m) => {
      const page = await options.client.tests.listPage(m.modelId, { limit: 1 }, options.signal);
      counts.testsFetched += 1;
      latestTests[m.modelKey] = page.data[0] ?? null;
    }),
    eachLimited(versionsNeedingFileDigests(desired, listed, options.planOptions), limit, async (v) => {
      files[v.versionId] = await versionFiles(options, v.modelId, v.versionId, counts);
    }),
  ]);
  const live: LiveState = {
    ...listed,
    latestTests: {
      ...listed.latestTests,
      ...Object.fromEntries(Object.entries(latestTests).map(([k, t]) => [k, t && liveTest(t)])),
    },
    versionFiles: {
      ...listed.versionFiles,
      ...Object.fromEntries(Object.entries(files).map(([id, e]) => [id, e.files])),
    },
  };
  const liveTexts = Object.fromEntries(Object.entries(files).map(([id, e]) => [id, e.texts]));
  return { live, liveTexts, counts };
}
