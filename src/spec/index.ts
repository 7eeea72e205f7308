/** The spec layer: manifests in, validated typed desired state (and every problem) out. */
export { loadProject } from "./load-project.js";
export type {
  LoadOptions,
  LoadResult,
  Project,
  LoadedModel,
  LoadedEnvironment,
  LoadedDataset,
  ManifestLocation,
} from "./project.js";
export { IssueSchema, NoteSchema, hasErrors } from "./issue.js";
export type { Issue, Note } from "./issue.js";
export { hashFile } from "./hash-file.js";
export { listSourceFiles, hashSourceFiles, hashListedFiles } from "./source-files.js";
export type { SourceFile, SourceFilter, SourceListing, ListedFile } from "./source-files.js";
export { DigestCache, CACHE_DIR } from "./digest-cache.js";
export {
  versionFingerprint,
  VersionFingerprintInputSchema,
  contextDigest,
  datasetCatalogName,
  normalisePosixPath,
  sha256Hex,
} from "./fingerprint.js";
export type { VersionFingerprintInput } from "./fingerprint.js";
export { canonicalJson } from "./canonical-json.js";
export { findProjectRoot, loadProjectConfig } from "./project-root.js";
export type { LoadedConfig } from "./project-root.js";
export { parseMemory } from "./schema/memory.js";
export { API_VERSION } from "./schema/common.js";
export type { DatasetRef } from "./schema/common.js";
export { CustomModelManifestSchema, TARGET_TYPES } from "./schema/custom-model.js";
export type {
  CustomModelManifest,
  CustomModelSpec,
  EnvironmentRef,
  RuntimeValue,
  TargetType,
  CheckMode,
} from "./schema/custom-model.js";
export { ExecutionEnvironmentManifestSchema } from "./schema/execution-environment.js";
export type { ExecutionEnvironmentManifest } from "./schema/execution-environment.js";
export { DatasetManifestSchema } from "./schema/dataset.js";
export type { DatasetManifest } from "./schema/dataset.js";
export { ManifestSchema, MANIFEST_KINDS } from "./schema/manifest.js";
export type { Manifest, ManifestKind } from "./schema/manifest.js";
export { ProjectConfigSchema, PROJECT_CONFIG_FILE } from "./schema/project-config.js";
export type { ProjectConfig } from "./schema/project-config.js";
export { ModelMetadataSchema } from "./schema/model-metadata.js";
export type {
  ModelMetadata,
  RuntimeParameterDefinition,
  RuntimeParameterType,
} from "./schema/model-metadata.js";
export { manifestJsonSchema, projectConfigJsonSchema } from "./json-schema.js";
