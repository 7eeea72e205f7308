import { DigestCache } from "./digest-cache.js";
import type { ResolvedPath } from "./local-paths.js";
import type { Project } from "./project.js";
import { hashListedFiles } from "./source-files.js";
import type { ListedFile, SourceFile } from "./source-files.js";

/**
 * Fills in `files` (with digests) for every valid local path of the project's manifests: folders
 * whose listing has no escaping symlink, and single files. Invalid ones keep no digest.
 */
export async function hashProject(project: Project, cacheDir: string): Promise<void> {
  const cache = await DigestCache.load(cacheDir);
  await hashResolvedPaths(
    project.resources.flatMap((r) => Object.values(r.paths)),
    cache,
  );
  await cache.save();
}

/** Fills in `files` for the given paths, reusing and updating `cache` (not saved here). */
export async function hashResolvedPaths(paths: readonly ResolvedPath[], cache: DigestCache): Promise<void> {
  // One pool over every file of the project: many small models hash as fast as one big one.
  const batches: { files: ListedFile[]; path: ResolvedPath }[] = [];
  for (const path of paths) {
    if (path.problem !== undefined) continue;
    if (path.spec.content === "files" && path.listing && (path.escapes ?? []).length === 0) {
      batches.push({ files: path.listing, path });
    } else if (path.spec.content === "digest") {
      batches.push({ files: [{ path: path.spec.written, absPath: path.abs }], path });
    }
  }
  const hashed: SourceFile[] = await hashListedFiles(
    batches.flatMap((b) => b.files),
    cache,
    16,
  );
  let offset = 0;
  for (const batch of batches) {
    batch.path.files = hashed.slice(offset, offset + batch.files.length);
    offset += batch.files.length;
  }
}
