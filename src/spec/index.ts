/** The spec layer: manifests in, validated manifests with their local files (and every problem) out. */
export { loadProject } from "./load-project.js";
export type { ChangedScope } from "./changed-scope.js";
export type { LoadOptions, LoadResult, Project, LoadedResource, ManifestLocation } from "./project.js";
export { resourcesOf } from "./project.js";
export { IssueSchema, NoteSchema, hasErrors } from "./issue.js";
export type { Issue, Note } from "./issue.js";
export { hashFile } from "./hash-file.js";
export { listSourceFiles, hashSourceFiles, hashListedFiles } from "./source-files.js";
export type { SourceFile, SourceFilter, SourceListing, ListedFile } from "./source-files.js";
export { DigestCache, CACHE_DIR } from "./digest-cache.js";
export { normalisePosixPath, sha256Hex, sha256Digest } from "./digest.js";
export { canonicalJson } from "./canonical-json.js";
export { findProjectRoot, loadProjectConfig } from "./project-root.js";
export type { LoadedConfig } from "./project-root.js";
export { parseMemory } from "./schema/memory.js";
export { API_VERSION } from "./schema/common.js";
export type { DatasetRef } from "./schema/common.js";
export { ProjectConfigSchema, PROJECT_CONFIG_FILE } from "./schema/project-config.js";
export type { ProjectConfig, Profile } from "./schema/project-config.js";
export { defaultsFor, profileNames, profileOf } from "./profiles.js";
export { ModelMetadataSchema } from "./schema/model-metadata.js";
export type {
  ModelMetadata,
  RuntimeParameterDefinition,
  RuntimeParameterType,
} from "./schema/model-metadata.js";
export { manifestJsonSchema, projectConfigJsonSchema } from "./json-schema.js";
