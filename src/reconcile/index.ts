/** The pure reconciler: desired and live state in, a serialisable plan out (no I/O anywhere here). */
export * from "./desired.js";
export { desiredStateFromProject, type DesiredInputs } from "./desired-from-project.js";
export * from "./live.js";
export * from "./trailer.js";
export * from "./plan-file.js";
export {
  buildPlan,
  versionsNeedingFileDigests,
  modelsNeedingLatestTest,
  DEFAULT_MAX_DELETIONS,
} from "./plan.js";
export type { BuildPlanOptions } from "./plan.js";
export type { NeededFileDigests, NeededLatestTest } from "./kinds/kind.js";
export { versionSpecFingerprint, sha256Digest, modelFieldsDigest, type ResolvedIds } from "./fingerprint.js";
