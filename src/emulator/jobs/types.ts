import type { Database } from "better-sqlite3";
import { z } from "zod";

/** Every kind of asynchronous work the emulator runs (API.md §7); stored in `jobs.type`. */
export const JobType = z.enum([
  "environmentBuild",
  "dependencyBuild",
  "test",
  "datasetIngestion",
  /** PATCH customModels/{id}/trainingData/ (model level, §6.1). */
  "trainingDataAssignment",
  /** Inline `trainingData` on version create (§6.2 way 1): only flips assignmentInProgress. */
  "versionTrainingData",
  /** PATCH customModels/{id}/versions/withTrainingData/ (§6.2 way 2). */
  "withTrainingData",
  "featureImpact",
  "conversion",
  /** API.md §13.11: packages, deployments and what CMA and TF do with them. */
  "modelPackageBuild",
  "deploymentCreation",
  "deploymentReplacement",
  "deploymentSettings",
  "deploymentStatus",
  "challengerCreation",
  "actualsUpload",
  "deploymentLogs",
]);
export type JobType = z.infer<typeof JobType>;

/** The status object's `status` values (API.md §7). */
export const JobState = z.enum(["INITIALIZED", "RUNNING", "COMPLETED", "ERROR", "ABORTED"]);
export type JobState = z.infer<typeof JobState>;

export const FINAL_STATES: readonly JobState[] = ["COMPLETED", "ERROR", "ABORTED"];

/** Inputs above this size are evaluated in the background (see JobHandler.background). */
export const BACKGROUND_EVALUATION_BYTES = 16 * 1024 * 1024;

/** One row of the `jobs` table, decoded. Times are epoch milliseconds. */
export interface JobRecord {
  statusId: string;
  type: JobType;
  payload: unknown;
  state: JobState;
  created: number;
  started: number | null;
  durationMs: number;
  finished: number | null;
  /** Path below `/api/v2/` of the 303 target, e.g. `customModelTests/<id>/`; set when COMPLETED. */
  resultPath: string | null;
  message: string;
  code: number;
}

/** How a job ended, decided by its handler's `apply`. */
export type JobOutcome =
  | { state: "COMPLETED"; resultPath: string | null; message?: string }
  | { state: "ERROR"; message: string; code?: number };

/**
 * What one job type does. Completion is split so effects happen exactly once:
 * `evaluate` may run any number of times (async, outside a transaction, reads immutable inputs),
 * `apply` runs once, inside the transaction that moves the job to its final state.
 */
export interface JobHandler<P = unknown, E = unknown> {
  type: JobType;
  payload: z.ZodType<P>;
  /** In a transaction, when the job first moves INITIALIZED -> RUNNING (e.g. build -> processing). */
  onStart?: (db: Database, job: JobRecord, payload: P) => void;
  evaluate: (job: JobRecord, payload: P) => Promise<E>;
  /** True when `evaluate` may take long (a large file): only reads of this job's result wait for it. */
  background?: (job: JobRecord, payload: P) => boolean;
  apply: (db: Database, job: JobRecord, payload: P, evaluation: E) => JobOutcome;
  /** In a transaction, when the job is cancelled before it finished. */
  onAbort?: (db: Database, job: JobRecord, payload: P) => void;
}
