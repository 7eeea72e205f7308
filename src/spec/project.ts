import type { FieldPath, Issue, Note } from "./issue.js";
import type { ChangedScope } from "./changed-scope.js";
import type { ResolvedPath } from "./local-paths.js";
import type { ProjectConfig } from "./schema/project-config.js";

/** Where a manifest document starts: used by later layers to point messages at it. */
export interface ManifestLocation {
  /** Absolute path of the YAML file. */
  file: string;
  /** 1-based line of the document's first node. */
  line: number;
  /** 0-based index of the document inside its file. */
  documentIndex: number;
  /** The 1-based line and column of the node at `path` (its deepest existing parent when absent). */
  locate(path: readonly (string | number)[]): { line: number; column: number };
}

/** A manifest that passed validation, with what the loader learnt of the paths it names. */
export interface LoadedResource<M = { kind: string; metadata: { name: string } }> extends ManifestLocation {
  kind: string;
  manifest: M;
  /** `<namespace>/<metadata.name>`. */
  key: string;
  name: string;
  /** By role (`source`, `dockerContext`, ...); files are hashed when loaded with `hash: true`. */
  paths: Readonly<Record<string, ResolvedPath>>;
}

export interface Project {
  /** The git root, or the working directory outside git. */
  root: string;
  namespace: string;
  /** The drgitops.yaml profile the project was loaded with (`--profile`), if any. */
  profile?: string;
  config: ProjectConfig;
  /** Absolute path of drgitops.yaml when there is one. */
  configFile?: string;
  /** Every valid manifest, in file order. */
  resources: LoadedResource[];
}

/** The loaded manifests of one kind. */
export function resourcesOf<M>(project: Project, kind: { name: string }): LoadedResource<M>[] {
  return project.resources.filter((r) => r.kind === kind.name) as LoadedResource<M>[];
}

/** An error about one field of a loaded manifest, at that field's line and column. */
export function issueAt(loaded: LoadedResource, path: FieldPath, code: string, message: string): Issue {
  return {
    code,
    severity: "error",
    file: loaded.file,
    ...loaded.locate(path),
    kind: loaded.kind,
    name: loaded.name,
    path,
    message,
  };
}

export interface LoadResult {
  /** False when any issue is an error. */
  ok: boolean;
  project: Project;
  issues: Issue[];
  notes: Note[];
  /** With `changedFiles`: what the change touches; only those documents are in `project`. */
  scope?: ChangedScope;
}

export interface LoadOptions {
  /** Files or folders; empty means drgitops.yaml `paths`, else the working directory. */
  paths: string[];
  cwd: string;
  /** Overrides drgitops.yaml `namespace` (the git remote default is computed by the caller). */
  namespace?: string;
  /** A profile of drgitops.yaml (its name checked by the caller): its namespace and defaults apply. */
  profile?: string;
  /** Digest cache folder; default `<root>/.drgitops/cache`. */
  cacheDir?: string;
  /** Hash model sources, docker contexts and dataset files. */
  hash?: boolean;
  /**
   * `--changed-since`: absolute paths of the changed files. Only the documents they touch, what
   * depends on those and what those need are loaded; the others are parsed (for references and
   * duplicate names) but nothing they name is listed, read or hashed.
   */
  changedFiles?: readonly string[];
}
