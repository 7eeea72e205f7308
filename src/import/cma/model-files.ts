import { realpath, stat } from "node:fs/promises";
import { posix } from "node:path";
import { pathParts, pyGlob, pyNormpath, relativeTo } from "./glob.js";

/**
 * The files CMA uploads for one model and the `filePath` of each, as its `model_controller.py`
 * (`collect_datarobot_model_files`, `_set_filtered_model_paths`) and `model_file_path.py` compute
 * them: every pattern is made absolute (`/` and `$ROOT/` mean the repository root, anything else the
 * model's root), a trailing `/` gets `**`, includes default to `<model root>/**`, an exclude that
 * names an existing folder gets `/**`; folders are dropped; a file's `filePath` is its path relative
 * to the model's root with every `../` removed, or, for a file outside it, relative to the
 * repository root.
 */

export interface CmaFile {
  /** The path as CMA's glob spelled it (after its `/./` and `//` clean-up). */
  globbed: string;
  /** Resolved real path on disk. */
  realPath: string;
  /** The `filePath` CMA sends. */
  uploadPath: string;
  /** Whether the file is under the model's root (CMA's `RelativeTo.MODEL`) or only the repository's. */
  relativeTo: "model" | "root";
  /** The include pattern that selected it (undefined for CMA's default, the whole model root). */
  pattern?: string;
}

export interface CmaFileSelection {
  files: CmaFile[];
  /** Conditions under which CMA refuses the model or behaves unpredictably. */
  problems: string[];
}

/** `_make_directory_pattern_recursive`. */
export const recursiveDirPattern = (pattern: string): string =>
  pattern.endsWith("/") ? `${pattern}**` : pattern;

const ROOTED = /^(\/|\$ROOT\/)/;

/** `_to_absolute`. */
export function cmaAbsolute(pattern: string, parent: string, workspace: string): string {
  const match = ROOTED.exec(pattern);
  return match ? `${workspace}/${pattern.slice(match[0].length)}` : `${parent}/${pattern}`;
}

/** `_remove_undesired_sub_paths` on one path. */
const cleanSubPaths = (p: string): string => p.replace(/\/\.\/|\/\//g, "/").replace(/^\.\//, "");

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/** `str(pathlib.Path(path))`: CMA keeps the model root as a Path, which drops `.` parts. */
export const pathString = (path: string): string => {
  const parts = pathParts(path);
  return parts[0] === "/" ? `/${parts.slice(1).join("/")}` : parts.join("/") || ".";
};

/**
 * The files CMA would upload. `workspace` is the repository root (GITHUB_WORKSPACE) and `modelRoot`
 * the model's root as CMA spells it (see read.ts).
 */
export async function cmaModelFiles(
  workspace: string,
  modelRoot: string,
  include: readonly string[],
  exclude: readonly string[],
): Promise<CmaFileSelection> {
  const root = pathString(modelRoot);
  const included = new Map<string, string | undefined>();
  if (include.length > 0) {
    for (const pattern of include) {
      for (const p of await pyGlob(cmaAbsolute(recursiveDirPattern(pattern), root, workspace)))
        if (!included.has(p)) included.set(p, pattern);
    }
  } else {
    for (const p of await pyGlob(`${root}/**`)) included.set(p, undefined);
  }
  const excluded = new Set<string>();
  for (const pattern of exclude) {
    let absolute = cmaAbsolute(recursiveDirPattern(pattern), root, workspace);
    // For excluded directories CMA always assumes recursive.
    if (await isDirectory(absolute)) absolute += "/**";
    for (const p of await pyGlob(absolute)) excluded.add(pyNormpath(cleanSubPaths(p)));
  }
  const modelNorm = pyNormpath(root);
  const files: CmaFile[] = [];
  const problems: string[] = [];
  const byReal = new Map<string, CmaFile>();
  for (const [raw, pattern] of [...included].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const globbed = cleanSubPaths(raw);
    const norm = pyNormpath(globbed);
    if (excluded.has(norm) || norm === modelNorm || (await isDirectory(norm))) continue;
    const underModel = relativeTo(globbed, root);
    const underRoot = underModel === null ? relativeTo(globbed, workspace) : null;
    const relative = underModel ?? underRoot;
    if (relative === null) {
      problems.push(`${globbed} is outside the repository: CMA refuses the model (PathOutsideTheRepository)`);
      continue;
    }
    const real = await realpath(norm).catch(() => posix.resolve(norm));
    const file: CmaFile = {
      globbed,
      realPath: real,
      uploadPath: relative.replaceAll("../", ""),
      relativeTo: underModel !== null ? "model" : "root",
      ...(pattern !== undefined ? { pattern } : {}),
    };
    const twin = byReal.get(real);
    if (twin) {
      // CMA keys the files by resolved path: only one of the two is uploaded, which one depends on set order.
      if (twin.uploadPath !== file.uploadPath)
        problems.push(
          `${twin.globbed} and ${file.globbed} are the same file: CMA uploads it once, as ${twin.uploadPath} or ${file.uploadPath} (unpredictably)`,
        );
      continue;
    }
    byReal.set(real, file);
    files.push(file);
  }
  const local = new Set(files.filter((f) => f.relativeTo === "model").map((f) => f.uploadPath));
  const collisions = files.filter((f) => f.relativeTo === "root" && local.has(f.uploadPath));
  if (collisions.length > 0)
    problems.push(
      `shared file(s) collide with the model's own: ${collisions.map((f) => f.uploadPath).join(", ")}; CMA refuses the model (SharedAndLocalPathCollision)`,
    );
  if (!files.some((f) => posix.basename(f.globbed) === "custom.py"))
    problems.push(
      "no custom.py among the selected files: CMA refuses the model (ModelMainEntryPointNotFound)",
    );
  files.sort((a, b) => (a.uploadPath < b.uploadPath ? -1 : a.uploadPath > b.uploadPath ? 1 : 0));
  return { files, problems };
}
