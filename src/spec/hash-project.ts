import { stat } from "node:fs/promises";
import { DigestCache } from "./digest-cache.js";
import type { Roots } from "./facts.js";
import { contextDigest } from "./fingerprint.js";
import { mapLimit } from "./map-limit.js";
import type { Project } from "./project.js";
import type { DatasetEntry, EnvironmentEntry, ModelEntry } from "./rules/index.js";
import { hashListedFiles, listSourceFiles } from "./source-files.js";
import type { ListedFile, SourceFile } from "./source-files.js";

/** Fills in digests for everything whose paths are valid; invalid ones keep no digest. */
export async function hashProject(
  project: Project,
  models: readonly { facts: ModelEntry["facts"]; listing?: ListedFile[] }[],
  environments: readonly EnvironmentEntry[],
  datasets: readonly DatasetEntry[],
  roots: Roots,
  cacheDir: string,
): Promise<void> {
  const cache = await DigestCache.load(cacheDir);
  // One pool over every file of the project: many small models hash as fast as one big one.
  const batches: { files: ListedFile[]; done: (hashed: SourceFile[]) => void }[] = [];
  models.forEach((m, i) => {
    const loaded = project.models[i];
    if (loaded && m.listing && m.facts.escapingLinks.length === 0) {
      batches.push({ files: m.listing, done: (hashed) => (loaded.files = hashed) });
    }
  });
  await mapLimit([...environments.entries()], 8, async ([i, e]) => {
    const loaded = project.environments[i];
    const context = e.facts.context;
    if (!loaded || context === undefined || context.problem !== undefined) return;
    const listing = await listSourceFiles(context.abs, {}, { root: roots.realRoot });
    if (listing.escapes.length > 0) return;
    batches.push({
      files: listing.files,
      done: (hashed) => {
        loaded.files = hashed;
        loaded.contextDigest = contextDigest(hashed);
      },
    });
  });
  await mapLimit([...datasets.entries()], 32, async ([i, d]) => {
    const loaded = project.datasets[i];
    const fact = d.facts.file;
    if (!loaded || fact === undefined || fact.problem !== undefined) return;
    const s = await stat(fact.abs);
    batches.push({
      files: [{ path: fact.written, absPath: fact.abs, size: s.size, mtimeMs: s.mtimeMs, ino: s.ino }],
      done: ([hashed]) => {
        if (hashed === undefined) return;
        loaded.sha256 = hashed.sha256;
        loaded.size = hashed.size;
      },
    });
  });
  const hashed = await hashListedFiles(
    batches.flatMap((b) => b.files),
    cache,
    16,
  );
  let offset = 0;
  for (const batch of batches) {
    batch.done(hashed.slice(offset, offset + batch.files.length));
    offset += batch.files.length;
  }
  await cache.save();
}
