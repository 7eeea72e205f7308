import { readdirSync, realpathSync, statSync } from "node:fs";
import { isAbsolute, normalize, relative, sep } from "node:path";
import picomatch from "picomatch";
import { DrgitopsError } from "../errors.js";
import type { DigestCache, FileStamp } from "./digest-cache.js";
import { compareCodePoints, isNormalPosixAbsolute } from "./digest.js";
import { hashFile } from "./hash-file.js";

export interface SourceFilter {
  include?: readonly string[] | undefined;
  exclude?: readonly string[] | undefined;
}

/** A file of a model source or docker context, as uploaded: `path` is relative and POSIX. */
export interface SourceFile {
  path: string;
  absPath: string;
  size: number;
  sha256: string;
}

/**
 * A file a listing selected. It carries no stat: `validate` never needs one (20,000 stats were a
 * quarter of validating 1,000 models), and the hasher stamps each file just before it looks it up.
 */
export interface ListedFile {
  path: string;
  absPath: string;
}

export interface SourceListing {
  files: ListedFile[];
  /** Symlinks (relative POSIX paths) whose target lies outside the root: refused, never followed. */
  escapes: string[];
  /** Entries that are not uploaded, and why (a dangling link, a FIFO, a link back into the folder). */
  skipped: { path: string; why: string }[];
  /** Files whose names cannot travel as they are (a backslash, a line break or another control character). */
  badNames: string[];
}

/** DataRobot file paths use `/`; a `\` or a control character would be stored under another name. */
// eslint-disable-next-line no-control-regex -- the point is to find them
const UNSAFE_NAME = /[\\\u0000-\u001f\u007f]/;

/** True when `child` is `parent` or inside it (both absolute, resolved). */
export function isInside(parent: string, child: string): boolean {
  // Normal absolute POSIX paths (nearly all): a prefix test, not path.relative's two resolves, which
  // were most of matching a watch event against 1,000 documents' folders.
  if (isNormalPosixAbsolute(parent) && isNormalPosixAbsolute(child))
    return child === parent || child.startsWith(parent === "/" ? "/" : `${parent}/`);
  const rel = relative(parent, child);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

function compilePredicate(filter: SourceFilter): (path: string) => boolean {
  const include =
    filter.include && filter.include.length > 0 ? picomatch([...filter.include], { dot: true }) : () => true;
  const exclude =
    filter.exclude && filter.exclude.length > 0 ? picomatch([...filter.exclude], { dot: true }) : () => false;
  return (path) => include(path) && !exclude(path);
}

/**
 * Every file under `dir` matching the filter, sorted by relative POSIX path. Dotfiles are included,
 * `.git/` never is. Symlinks are followed when they resolve inside `root` (default: `dir`).
 *
 * Synchronous inside: listing is directory and inode metadata the kernel has cached, and a
 * synchronous stat costs a few microseconds where a promise round trip through the thread pool costs
 * tens (a project of 1,000 models x 20 files lists in a fraction of the time).
 */
export function listSourceFiles(
  dir: string,
  filter: SourceFilter = {},
  options: { root?: string } = {},
): Promise<SourceListing> {
  // The executor turns a failure (a folder gone meanwhile) into a rejection, as before.
  return new Promise((resolve) => resolve(listSourceFilesSync(dir, filter, options)));
}

/**
 * `join(dir, name)` for a normalised `dir` and a directory entry's name (never `.`, `..` or holding a
 * separator): join normalises its result character by character, which was a third of what loading
 * 1,000 models allocated (18 MB for 22,000 entries).
 */
function childPath(dir: string, name: string): string {
  return dir === "." ? name : dir.endsWith(sep) ? dir + name : dir + sep + name;
}

export function listSourceFilesSync(
  dir: string,
  filter: SourceFilter = {},
  /** `real`: the realpaths of `dir` and of the root, when the caller has them (then `root` is unused). */
  options: { root?: string; real?: { dir: string; root: string } } = {},
): SourceListing {
  const realDir = options.real?.dir ?? realpathSync.native(dir);
  const root =
    options.real?.root ?? (options.root === undefined ? realDir : realpathSync.native(options.root));
  const keep = compilePredicate(filter);
  const files: ListedFile[] = [];
  const escapes: string[] = [];
  const skipped: SourceListing["skipped"] = [];
  const badNames: string[] = [];
  const visited = new Set<string>();

  // `real` is absDir with every symlink resolved: a folder reached through no symlink is its real
  // parent's path plus its name, so only the folders behind a symlink cost a realpath.
  const walk = (absDir: string, relDir: string, real: string): void => {
    if (visited.has(real)) {
      // Only a symlinked folder can lead back to one already listed (a cycle).
      skipped.push({ path: relDir, why: "a symlink to a folder already listed (a cycle)" });
      return;
    }
    visited.add(real);
    for (const entry of readdirSync(absDir, { withFileTypes: true })) {
      const absPath = childPath(absDir, entry.name);
      const path = relDir === "" ? entry.name : `${relDir}/${entry.name}`;
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      let target: string | undefined;
      if (entry.isSymbolicLink()) {
        try {
          target = realpathSync.native(absPath);
        } catch {
          if (keep(path)) skipped.push({ path, why: "a dangling symlink (its target does not exist)" });
          continue;
        }
        if (!isInside(root, target)) {
          escapes.push(path);
          continue;
        }
        const s = statSync(target);
        isDir = s.isDirectory();
        isFile = s.isFile();
        // Following it would list the same files twice, under whichever path was walked first.
        if (isDir && isInside(realDir, target)) {
          skipped.push({
            path,
            why: "a symlink to a folder of this same source (its files are listed under their own path)",
          });
          continue;
        }
      }
      if (isDir) {
        if (entry.name !== ".git") walk(absPath, path, target ?? childPath(real, entry.name));
      } else if (!keep(path)) {
        continue;
      } else if (!isFile) {
        skipped.push({ path, why: "not a regular file (a FIFO, socket or device)" });
      } else if (UNSAFE_NAME.test(entry.name)) {
        badNames.push(path);
      } else {
        files.push({ path, absPath });
      }
    }
  };

  walk(normalize(dir), "", realDir);
  files.sort((a, b) => compareCodePoints(a.path, b.path));
  escapes.sort(compareCodePoints);
  skipped.sort((a, b) => compareCodePoints(a.path, b.path));
  badNames.sort(compareCodePoints);
  return { files, escapes, skipped, badNames };
}

/** Hashes files `concurrency` at a time, reusing and updating `cache` (keyed by each file's stat). */
export async function hashListedFiles(
  files: readonly ListedFile[],
  cache?: DigestCache,
  concurrency = 8,
): Promise<SourceFile[]> {
  const out: SourceFile[] = new Array<SourceFile>(files.length);
  let next = 0;
  async function worker(): Promise<void> {
    for (let i = next++; i < files.length; i = next++) {
      const f = files[i];
      if (f === undefined) continue;
      const s = statSync(f.absPath);
      const stamp: FileStamp = { size: s.size, mtimeMs: s.mtimeMs, ino: s.ino };
      let sha256 = cache?.lookup(f.absPath, stamp);
      if (sha256 === undefined) {
        const startedAt = Date.now();
        sha256 = await hashFile(f.absPath);
        cache?.store(f.absPath, stamp, sha256, startedAt);
      }
      out[i] = { path: f.path, absPath: f.absPath, size: stamp.size, sha256 };
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, files.length)) }, worker));
  return out;
}

/** Lists and hashes a source folder; a symlink leaving the root is an error, never silently skipped. */
export async function hashSourceFiles(
  dir: string,
  filter: SourceFilter = {},
  cache?: DigestCache,
  options: { root?: string; concurrency?: number } = {},
): Promise<SourceFile[]> {
  const listing = await listSourceFiles(
    dir,
    filter,
    options.root === undefined ? {} : { root: options.root },
  );
  if (listing.escapes.length > 0) {
    throw new DrgitopsError(
      "path-escapes-root",
      `${dir}: symlink ${listing.escapes.join(", ")} points outside the project root; replace it with the file itself`,
    );
  }
  return hashListedFiles(listing.files, cache, options.concurrency);
}
