import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { MAX_KEPT_TEXT_BYTES, textOf, type VersionFileCache } from "../../reconcile/version-cache.js";
import type { ReadText } from "./text-diff.js";

/**
 * Text of a file for display: the live side from what observing kept (or the version cache, for
 * a saved plan), the local side from disk; undefined for binary, large or unknown files.
 */
export function createTextReader(
  liveTexts: Readonly<Record<string, Readonly<Record<string, string>>>>,
  cache: VersionFileCache,
  projectRoot: string,
): ReadText {
  return async (request) => {
    if (request.side === "before") {
      if (request.versionId === null) return undefined;
      const kept = liveTexts[request.versionId] ?? (await cache.get(request.versionId))?.texts;
      return kept?.[request.path];
    }
    if (request.localPath === null) return undefined;
    try {
      const file = join(projectRoot, request.localPath);
      // Size first: a large artifact is never read just to find out it is too big to show.
      if ((await stat(file)).size > MAX_KEPT_TEXT_BYTES) return undefined;
      const buffer = await readFile(file);
      return buffer.length <= MAX_KEPT_TEXT_BYTES ? textOf(buffer) : undefined;
    } catch {
      return undefined;
    }
  };
}
