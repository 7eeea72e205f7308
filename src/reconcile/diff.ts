import { z } from "zod";
import { canonicalJson } from "../spec/canonical-json.js";
import { compareCodePoints, normalisePosixPath, Sha256HexSchema } from "../spec/digest.js";
import type { FieldChange } from "./action.js";

type Scalar = string | number | boolean;

/** A file as desired: its path in the version, digest, size, and where it is (relative to the root). */
export interface LocalFile {
  path: string;
  sha256: string;
  size: number;
  localPath: string;
}

/** One file of an immutable version: its path in the version, digest and size. */
export const VersionFileDigestSchema = z.object({
  path: z.string(),
  sha256: Sha256HexSchema,
  size: z.number().int().nonnegative(),
});
export type VersionFileDigest = z.infer<typeof VersionFileDigestSchema>;

/**
 * Structural diff helpers: decisions only. The text diff of changed files is display, done by the
 * human renderer from the file changes recorded here.
 */

/** A value change, or null when both sides are equal as canonical JSON (key order never matters). */
export function valueChange(path: string, before: unknown, after: unknown): FieldChange | null {
  return canonicalJson(before ?? null) === canonicalJson(after ?? null)
    ? null
    : { kind: "value", path, before: before ?? null, after: after ?? null };
}

/**
 * Runtime values come back as the server stored them: numbers may be strings and booleans "true"
 * (API.md §2.7). Equal when they mean the same value.
 */
export function sameScalar(live: Scalar | null, desired: Scalar): boolean {
  if (live === null) return false;
  if (typeof desired === "number") return Number(live) === desired && String(live).trim() !== "";
  if (typeof desired === "boolean") return String(live).toLowerCase() === String(desired);
  return String(live) === desired;
}

export interface FileDiff {
  /** One entry per added, modified or removed file, sorted by path. */
  changes: FieldChange[];
  uploads: LocalFile[];
  deletions: { itemId: string; path: string }[];
}

/**
 * Files to upload and items to delete to turn the live version into the desired one. Without live
 * digests every file is uploaded (each shown as modified with an unknown before), never silently
 * assumed equal.
 */
export function diffFiles(
  desired: readonly LocalFile[],
  liveFiles: readonly VersionFileDigest[] | undefined,
  items: readonly { id: string; filePath: string }[],
): FileDiff {
  const itemByPath = new Map(items.map((i) => [normalisePosixPath(i.filePath), i]));
  const liveByPath = new Map((liveFiles ?? []).map((f) => [normalisePosixPath(f.path), f]));
  const desiredPaths = new Set(desired.map((f) => normalisePosixPath(f.path)));
  const changes: FieldChange[] = [];
  const uploads: FileDiff["uploads"] = [];
  for (const file of desired) {
    const path = normalisePosixPath(file.path);
    const live = liveByPath.get(path);
    if (live && live.sha256 === file.sha256) continue;
    const known = liveFiles !== undefined;
    const change = live || (!known && itemByPath.has(path)) ? "modified" : "added";
    changes.push({
      kind: "file",
      path,
      change,
      before: live ? { sha256: live.sha256, size: live.size } : null,
      after: { sha256: file.sha256, size: file.size, localPath: file.localPath },
    });
    uploads.push({ path, localPath: file.localPath, sha256: file.sha256, size: file.size });
  }
  const deletions: FileDiff["deletions"] = [];
  for (const [path, item] of itemByPath) {
    if (desiredPaths.has(path)) continue;
    const live = liveByPath.get(path);
    changes.push({
      kind: "file",
      path,
      change: "removed",
      before: live ? { sha256: live.sha256, size: live.size } : null,
      after: null,
    });
    deletions.push({ itemId: item.id, path });
  }
  changes.sort((a, b) => compareCodePoints(a.path, b.path));
  uploads.sort((a, b) => compareCodePoints(a.path, b.path));
  deletions.sort((a, b) => compareCodePoints(a.path, b.path));
  return { changes, uploads, deletions };
}
