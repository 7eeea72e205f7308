import type { Issue, Note } from "./issue.js";
import type { CustomModelManifest } from "./schema/custom-model.js";
import type { DatasetManifest } from "./schema/dataset.js";
import type { ExecutionEnvironmentManifest } from "./schema/execution-environment.js";
import type { ModelMetadata } from "./schema/model-metadata.js";
import type { ProjectConfig } from "./schema/project-config.js";
import type { SourceFile } from "./source-files.js";

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

interface Loaded<M> extends ManifestLocation {
  manifest: M;
  /** `<namespace>/<metadata.name>`. */
  key: string;
  name: string;
}

export interface LoadedModel extends Loaded<CustomModelManifest> {
  /** Absolute, resolved `spec.source.path`. */
  sourceDir: string;
  /** Present when loaded with `hash: true` and the source folder is valid. */
  files?: SourceFile[];
  /** The source's top-level model-metadata.yaml, when it has one and it parses. */
  metadata?: ModelMetadata;
  /** `spec.classLabels`, or the lines of `spec.classLabelsFile`. */
  classLabels?: string[];
  /** True when the source has a top-level requirements.txt (a dependency build will follow). */
  hasRequirements: boolean;
}

export interface LoadedEnvironment extends Loaded<ExecutionEnvironmentManifest> {
  dockerContextDir: string;
  /** "sha256:..." over the context's sorted (path, sha256) list; present with `hash: true`. */
  contextDigest?: string;
  files?: SourceFile[];
}

export interface LoadedDataset extends Loaded<DatasetManifest> {
  /** Absolute path of `spec.file`, when the dataset is backed by a local file. */
  filePath?: string;
  /** Hex SHA-256 of that file; present with `hash: true`. */
  sha256?: string;
  size?: number;
}

export interface Project {
  /** The git root, or the working directory outside git. */
  root: string;
  namespace: string;
  config: ProjectConfig;
  /** Absolute path of drgitops.yaml when there is one. */
  configFile?: string;
  models: LoadedModel[];
  environments: LoadedEnvironment[];
  datasets: LoadedDataset[];
}

export interface LoadResult {
  /** False when any issue is an error. */
  ok: boolean;
  project: Project;
  issues: Issue[];
  notes: Note[];
}

export interface LoadOptions {
  /** Files or folders; empty means drgitops.yaml `paths`, else the working directory. */
  paths: string[];
  cwd: string;
  /** Overrides drgitops.yaml `namespace` (the git remote default is computed by the caller). */
  namespace?: string;
  /** Digest cache folder; default `<root>/.drgitops/cache`. */
  cacheDir?: string;
  /** Hash model sources, docker contexts and dataset files. */
  hash?: boolean;
}
