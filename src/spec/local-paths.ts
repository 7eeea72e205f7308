import { readFileSync, realpathSync, statSync } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import type { FieldPath, Issue, PendingIssue } from "./issue.js";
import { describeRoot, type RootSource } from "./project-root.js";
import { ModelMetadataSchema, type ModelMetadata } from "./schema/model-metadata.js";
import {
  isInside,
  listSourceFilesSync,
  type ListedFile,
  type SourceFile,
  type SourceFilter,
} from "./source-files.js";
import { parseYaml, type YamlDoc } from "./yaml-doc.js";
import { parseWith } from "./zod-issues.js";

/**
 * Local files and folders a manifest names (a model's source, a docker context, a dataset file), as
 * each kind declares them (`kind.localPaths`). The loader resolves them against the manifest's folder,
 * judges them (inside the project root, of the right type), lists and hashes them; rules and desired
 * state only read the result, so no kind does file I/O of its own.
 */
export interface LocalPathSpec {
  /** Name under which the kind finds the resolved path: `source`, `dockerContext`, `file`. */
  role: string;
  /** The manifest field holding the path. */
  field: FieldPath;
  written: string;
  expect: "dir" | "file";
  /** How messages name it: "source folder", "docker context". */
  what: string;
  /** Issue code for a path that does not exist or has the wrong type. */
  missingCode: string;
  /** Issue code for a file where a folder is expected (default: `missingCode`). */
  notDirectoryCode?: string;
  /**
   * `files` (folders): list the files selected by `filter`, hashed when the project is; `digest`
   * (files): hash the file; `lines`: read it as one entry per non-blank line.
   */
  content: "files" | "digest" | "lines";
  filter?: SourceFilter;
  /** `files`: an empty listing is an issue under this code, ending with `emptyHint`. */
  empty?: { code: string; hint: string };
  /** `files`: a file that must be at the folder's root (a Dockerfile). */
  required?: { name: string; code: string; consequence: string };
  /** `files`: parse the listing's top-level model-metadata.yaml. */
  modelMetadata?: boolean;
  /** False when the listing would judge the wrong files (its include/exclude are invalid). */
  listable?: boolean;
}

/** What the loader learnt about one local path. */
export interface ResolvedPath {
  spec: LocalPathSpec;
  abs: string;
  /** Relative to the project root, POSIX: what plans and caches record. */
  rel: string;
  /** The project root the path was judged against (named in messages about escaping it). */
  root: string;
  /** How that root was found. */
  rootSource: RootSource;
  /** Undefined when the path exists, has the expected type and stays inside the project root. */
  problem?: "absolute" | "escapes" | "symlink-escapes" | "missing" | "not-directory" | "not-file";
  /** `files`: the selected files (stamped for the digest cache). */
  listing?: ListedFile[];
  /** `files`: symlinks inside the folder that lead outside the root. */
  escapes?: string[];
  /** `files`: entries not uploaded, and why. */
  skipped?: { path: string; why: string }[];
  /** `files`: files whose names cannot be uploaded as they are. */
  badNames?: string[];
  /** `files`/`digest` once hashed: every file with its digest (a `digest` path has one entry). */
  files?: SourceFile[];
  /** `lines`: the file's non-blank lines, trimmed. */
  lines?: string[];
  /** `required`: whether the file is there. */
  hasRequired?: boolean;
  /** `modelMetadata`: the listing's model-metadata.yaml; `parsed` is absent when it is invalid. */
  metadata?: { doc?: YamlDoc; file: string; parsed?: ModelMetadata };
}

export interface Roots {
  /** The project root as found (lexical). */
  root: string;
  /** Its realpath, to judge where symlinks lead. */
  realRoot: string;
  /** How it was found: a git repository, or the working directory when there is none. */
  rootSource: RootSource;
}

export interface GatheredPaths {
  paths: Record<string, ResolvedPath>;
  /** Problems inside files the manifest points at (model-metadata.yaml syntax), already placed. */
  issues: Issue[];
  /** Schema problems of model-metadata.yaml, to be placed in that file's document. */
  pending: { issue: PendingIssue; doc: YamlDoc }[];
}

/** Parses a YAML text (model-metadata.yaml): `parseYaml`, or the loader's parse cache. */
type Parse = (file: string, text: string) => { docs: YamlDoc[]; issues: Issue[] };

/** Resolves, judges and reads every local path of one manifest (synchronous fs, see gatherOne). */
export function gatherPaths(
  roots: Roots,
  manifestDir: string,
  specs: readonly LocalPathSpec[],
  parse: Parse = parseYaml,
): GatheredPaths {
  const out: GatheredPaths = { paths: {}, issues: [], pending: [] };
  for (const spec of specs) out.paths[spec.role] = gatherOne(roots, manifestDir, spec, out, parse);
  return out;
}

function gatherOne(
  roots: Roots,
  manifestDir: string,
  spec: LocalPathSpec,
  out: GatheredPaths,
  parse: Parse,
): ResolvedPath {
  const abs = resolve(manifestDir, spec.written);
  const base: ResolvedPath = {
    spec,
    abs,
    rel: posixRelative(roots.root, abs),
    root: roots.root,
    rootSource: roots.rootSource,
  };
  // Synchronous fs: metadata and small files the kernel has cached (see listSourceFilesSync).
  const judged = judge(roots, spec, abs);
  if ("problem" in judged) return { ...base, problem: judged.problem };
  if (spec.content === "lines") return { ...base, lines: parseLines(readFileSync(abs, "utf8")) };
  if (spec.content === "digest" || spec.listable === false) return base;
  const listing = listSourceFilesSync(abs, spec.filter ?? {}, {
    real: { dir: judged.real, root: roots.realRoot },
  });
  // Object.assign, not a leading spread: see desiredBase (reconcile/state.ts).
  const resolved: ResolvedPath = Object.assign(base, {
    listing: listing.files,
    escapes: listing.escapes,
    skipped: listing.skipped,
    badNames: listing.badNames,
  });
  if (spec.required) {
    const s = statSync(join(abs, spec.required.name), { throwIfNoEntry: false });
    resolved.hasRequired = s?.isFile() ?? false;
  }
  // Only the uploaded copy matters: an excluded model-metadata.yaml never reaches DataRobot.
  const metaFile = spec.modelMetadata
    ? listing.files.find((f) => f.path === "model-metadata.yaml")
    : undefined;
  if (metaFile) {
    const { docs, issues } = parse(metaFile.absPath, readFileSync(metaFile.absPath, "utf8"));
    const doc: YamlDoc | undefined = docs[0];
    resolved.metadata = { file: metaFile.absPath, ...(doc ? { doc } : {}) };
    out.issues.push(...issues);
    if (doc && issues.length === 0) {
      const parsed = parseWith(ModelMetadataSchema, doc.data ?? {});
      if (parsed.data !== undefined) resolved.metadata.parsed = parsed.data;
      else for (const issue of parsed.issues) out.pending.push({ issue, doc });
    }
  }
  return resolved;
}

/** What is wrong with the path, or its realpath when nothing is. */
function judge(
  roots: Roots,
  spec: LocalPathSpec,
  abs: string,
): { problem: NonNullable<ResolvedPath["problem"]> } | { real: string } {
  if (isAbsolute(spec.written)) return { problem: "absolute" };
  if (!isInside(roots.root, abs)) return { problem: "escapes" };
  let s;
  try {
    s = statSync(abs);
  } catch {
    return { problem: "missing" };
  }
  const real = realpathSync.native(abs);
  if (!isInside(roots.realRoot, real)) return { problem: "symlink-escapes" };
  if (spec.expect === "dir" && !s.isDirectory()) return { problem: "not-directory" };
  if (spec.expect === "file" && !s.isFile()) return { problem: "not-file" };
  return { real };
}

export function posixRelative(root: string, abs: string): string {
  return relative(root, abs).split(sep).join("/") || ".";
}

/** One entry per line; blank lines and surrounding spaces do not count (as in DRUM's class labels). */
export function parseLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
}

/** The issues a resolved path gives rise to (missing, escaping, empty, missing required file). */
export function pathIssues(path: ResolvedPath): PendingIssue[] {
  const { spec } = path;
  const at = (code: string, message: string): PendingIssue => ({ code, path: spec.field, message });
  const quoted = `${spec.what} "${spec.written}"`;
  switch (path.problem) {
    case "absolute":
      return [
        at(
          "path-escapes-root",
          `${quoted} is absolute; use a path relative to the manifest's folder, inside the project`,
        ),
      ];
    case "escapes":
      return [
        at(
          "path-escapes-root",
          `${quoted} leaves the project root (${describeRoot(path.root, path.rootSource)}); everything a manifest uses must be inside it`,
        ),
      ];
    case "symlink-escapes":
      return [
        at(
          "path-escapes-root",
          `${quoted} is a symlink to a place outside the project root; refusing to follow it`,
        ),
      ];
    case "missing":
      return [at(spec.missingCode, `${quoted} does not exist (resolved to ${path.abs})`)];
    case "not-directory":
      return [at(spec.notDirectoryCode ?? spec.missingCode, `${quoted} is a file, not a folder`)];
    case "not-file":
      return [at(spec.missingCode, `${quoted} is a folder, not a file`)];
    case undefined:
      break;
  }
  const issues: PendingIssue[] = [];
  if (path.listing !== undefined && path.listing.length === 0 && spec.empty) {
    const filtered = spec.filter?.include || spec.filter?.exclude;
    issues.push(
      at(
        spec.empty.code,
        `${quoted} has no files${filtered ? " after include/exclude" : ""}; ${spec.empty.hint}`,
      ),
    );
  }
  for (const link of path.escapes ?? [])
    issues.push(
      at(
        "path-escapes-root",
        `"${link}" in ${quoted} is a symlink leaving the project root; copy the file in instead`,
      ),
    );
  for (const { path: file, why } of path.skipped ?? [])
    issues.push({
      ...at("source-file-skipped", `"${file}" in ${quoted} is not uploaded: ${why}`),
      severity: "warning",
    });
  for (const file of path.badNames ?? [])
    issues.push(
      at(
        "source-file-name",
        `the name of "${JSON.stringify(file).slice(1, -1)}" in ${quoted} has a backslash or a control character; DataRobot would store it under another name: rename it`,
      ),
    );
  if (spec.required && path.hasRequired === false)
    issues.push(
      at(
        spec.required.code,
        `${quoted} has no ${spec.required.name} at its root; ${spec.required.consequence}`,
      ),
    );
  return issues;
}
