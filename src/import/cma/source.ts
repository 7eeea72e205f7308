import { stat } from "node:fs/promises";
import { posix, relative, resolve, sep } from "node:path";
import type { FieldPath } from "../../spec/issue.js";
import { isInside, listSourceFiles } from "../../spec/source-files.js";
import type { SourceFilter } from "../../spec/source-files.js";
import { pathParts, relativeTo } from "./glob.js";
import { cmaAbsolute, cmaModelFiles, pathString, recursiveDirPattern } from "./model-files.js";
import type { CmaFile } from "./model-files.js";
import { exactGlob, translateCmaPattern } from "./patterns.js";

/**
 * A model's `source` for drgitops that selects exactly the files CMA uploads, under the same paths:
 * CMA's patterns translated (patterns.ts), then checked against CMA's own selection on the
 * repository as it is (model-files.ts) with drgitops' own file listing, and corrected by name where
 * the two would differ. Whatever still differs is a note: never a silent difference, because a
 * different file list is a new version on the next apply.
 */

export interface SourceNote {
  /** Path inside the CMA definition (`version.include_glob_pattern.1`). */
  setting: FieldPath;
  reason: string;
}

export interface ConvertedSource {
  /** Absolute model folder (source.path points here). */
  folder: string;
  filter: { include?: string[]; exclude?: string[] };
  /** Every file CMA uploads, carried over or not. */
  cmaFiles: CmaFile[];
  /** CMA's upload paths that drgitops uploads too (all of them, unless notes say otherwise). */
  carried: string[];
  notes: SourceNote[];
  /** Reasons CMA itself refuses the model (or picks files unpredictably). */
  problems: string[];
}

export interface SourceInput {
  workspace: string;
  /** The model's root, spelled as CMA spells it. */
  modelRoot: string;
  include: readonly string[];
  exclude: readonly string[];
  /** drgitops' project root: symlinks are followed only inside it. */
  projectRoot: string;
  /** Absolute paths of the files this import writes: excluded where they fall inside the model. */
  generated: readonly string[];
}

/** Python's `*` and `**` skip names starting with `.`; drgitops' globs match them. */
const HIDDEN_EXCLUDES = ["**/.*", "**/.*/**"];

const posixRelative = (from: string, to: string): string => relative(from, to).split(sep).join("/");

const sorted = (xs: Iterable<string>): string[] =>
  [...new Set(xs)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

function list(paths: readonly string[], max = 5): string {
  const shown = paths.slice(0, max).join(", ");
  return paths.length > max ? `${shown} and ${paths.length - max} more` : shown;
}

export async function convertSource(input: SourceInput): Promise<ConvertedSource> {
  const { workspace, include, exclude } = input;
  const selection = await cmaModelFiles(workspace, input.modelRoot, include, exclude);
  // Spelled as the caller spells paths (not resolved through symlinks), like outDir and the project root.
  const folder = resolve(pathString(input.modelRoot));
  const notes: SourceNote[] = [];
  const includeAt = (pattern: string | undefined): FieldPath => {
    const i = pattern === undefined ? -1 : include.indexOf(pattern);
    return i >= 0 ? ["version", "include_glob_pattern", i] : ["version"];
  };

  // A file is carried when drgitops, listing the model's folder, finds it under CMA's upload path.
  const carried: string[] = [];
  const outside = new Map<string, CmaFile[]>();
  for (const f of selection.files) {
    const own = posixRelative(folder, resolve(f.globbed));
    if (f.relativeTo === "model" && own === f.uploadPath) carried.push(f.uploadPath);
    else outside.set(f.pattern ?? "", [...(outside.get(f.pattern ?? "") ?? []), f]);
  }
  for (const [pattern, files] of outside) {
    const shown = files.map(
      (f) => `${posixRelative(workspace, resolve(f.globbed))} (uploaded as ${f.uploadPath})`,
    );
    notes.push({
      setting: includeAt(pattern || undefined),
      reason: `CMA uploads ${list(shown)} from outside the model's folder; drgitops uploads only files under source.path, so the next apply would make a version without ${files.length === 1 ? "it" : "them"}. Put a symlink (drgitops follows those inside the project) or a copy at that path in the model's folder`,
    });
  }

  const parts = pathParts(pathString(input.modelRoot));
  const rootInRepo = parts.includes("..") ? null : relativeTo(pathString(input.modelRoot), workspace);
  const includes: string[] = [];
  let namesHidden = false;
  include.forEach((pattern, i) => {
    const t = translateCmaPattern(pattern, "include", rootInRepo);
    if (!t.ok) {
      // The files it brings in are reported above, with what to do; a pattern matching none, here.
      if (!outside.has(pattern))
        notes.push({ setting: ["version", "include_glob_pattern", i], reason: `\`${pattern}\` ${t.reason}` });
      return;
    }
    includes.push(...t.globs);
    namesHidden ||= t.namesHidden;
  });
  const excludes: string[] = [];
  const kinds = await Promise.all(
    exclude.map((pattern) =>
      stat(cmaAbsolute(recursiveDirPattern(pattern), pathString(input.modelRoot), workspace)).then(
        (s) => (s.isDirectory() ? ("folder" as const) : ("file" as const)),
        () => "absent" as const,
      ),
    ),
  );
  exclude.forEach((pattern, i) => {
    const t = translateCmaPattern(pattern, "exclude", rootInRepo, kinds[i]);
    if (!t.ok) {
      // Files outside the folder are never drgitops', so only an exclude reaching back in matters.
      notes.push({
        setting: ["version", "exclude_glob_pattern", i],
        reason: `\`${pattern}\` ${t.reason}; left out`,
      });
      return;
    }
    excludes.push(...t.globs);
  });
  const generated = input.generated
    .filter((g) => isInside(folder, g) && g !== folder)
    .map((g) => exactGlob(posixRelative(folder, g)));
  if (!namesHidden) excludes.push(...HIDDEN_EXCLUDES);
  else if (isInside(folder, input.projectRoot)) {
    // Without the hidden-name excludes, drgitops' own cache folder must still stay out.
    const rootInFolder = posixRelative(folder, input.projectRoot);
    excludes.push(rootInFolder === "" ? ".drgitops/**" : `${exactGlob(rootInFolder)}/.drgitops/**`);
  }

  const listed = async (filter: SourceFilter): Promise<{ paths: string[]; escapes: string[] }> => {
    const listing = await listSourceFiles(folder, filter, { root: input.projectRoot }).catch(() => ({
      files: [],
      escapes: [],
    }));
    return { paths: listing.files.map((f) => f.path), escapes: listing.escapes };
  };
  const want = new Set(carried);
  // `**` selects everything: the same as no include at all.
  const everything = includes.includes("**");
  let filter: { include?: string[]; exclude?: string[] } = {
    ...(include.length > 0 && !everything ? { include: sorted(includes) } : {}),
    exclude: [...new Set([...excludes, ...generated])],
  };
  const first = await listed(filter);
  const missing = carried.filter((p) => !first.paths.includes(p));
  const extra = first.paths.filter((p) => !want.has(p));
  const emptyInclude = include.length > 0 && includes.length === 0 && carried.length > 0;
  if (missing.length > 0 || emptyInclude) {
    filter = { include: carried.map(exactGlob), ...(generated.length > 0 ? { exclude: generated } : {}) };
    notes.push({
      setting:
        include.length > 0
          ? ["version", "include_glob_pattern"]
          : exclude.length > 0
            ? ["version", "exclude_glob_pattern"]
            : ["version"],
      reason: `CMA's patterns cannot be written as drgitops globs that select the same files (drgitops would miss ${list(missing)}); source.include lists the ${carried.length} files CMA uploads today, so a file added later is uploaded only once you add it there`,
    });
  } else if (extra.length > 0) {
    filter = { ...filter, exclude: [...(filter.exclude ?? []), ...extra.map(exactGlob)] };
    notes.push({
      setting: include.length > 0 ? ["version", "include_glob_pattern"] : ["version"],
      reason: `drgitops' globs also match ${list(extra)}, which CMA's do not (Python's * and ** skip names starting with "." unless the pattern names them); excluded by name, so a new file of that kind would be uploaded by drgitops and not by CMA`,
    });
  }
  const final = await listed(filter);
  for (const escape of first.escapes)
    notes.push({
      setting: ["version"],
      reason: `symlink ${escape} points outside drgitops' project root: CMA follows it, drgitops refuses the model until it is replaced by the file itself`,
    });
  const unequal = final.paths.length !== carried.length || final.paths.some((p) => !want.has(p));
  if (unequal)
    notes.push({
      setting: ["version"],
      reason: `drgitops would upload ${list(final.paths.filter((p) => !want.has(p)))} but not ${list(carried.filter((p) => !final.paths.includes(p)))}: the file list differs from CMA's`,
    });
  if (filter.exclude?.length === 0) delete filter.exclude;
  return {
    folder,
    filter,
    cmaFiles: selection.files,
    carried: sorted(carried),
    notes,
    problems: selection.problems,
  };
}

/** `source.path` in a manifest written to `manifestDir`. */
export const sourcePath = (manifestDir: string, folder: string): string =>
  posix.normalize(posixRelative(manifestDir, folder) || ".");
