import type { Database } from "better-sqlite3";
import { z } from "zod";
import { ImportanceSchema } from "../../client/wire/deployment.js";
import { docTable } from "./doc-table.js";
import { stmt } from "./statements.js";

export const PLATFORMS = [
  "aws",
  "gcp",
  "azure",
  "onPremise",
  "datarobot",
  "datarobotServerless",
  "openShift",
  "other",
  "snowflake",
  "sapAiCore",
] as const;
export const MANAGED_BY = ["selfManaged", "managementAgent", "datarobot"] as const;
/** The wire schemas are the one thing the emulator shares with the client. */
export const IMPORTANCES = ImportanceSchema.options;
export const DEPLOYMENT_STATUSES = ["launching", "active", "inactive", "errored"] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

/** API.md §13.4. */
export const PredictionEnvironmentRecordSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  platform: z.enum(PLATFORMS),
  managedBy: z.enum(MANAGED_BY),
  isManagedByManagementAgent: z.boolean(),
  supportedModelFormats: z.array(z.string()),
  priority: z.number().int().nullable(),
  maxConcurrentBatchPredictionsJob: z.number().int().nullable(),
  credentialId: z.string().nullable(),
  datastoreId: z.string().nullable(),
  /** Seeded at start: PATCH/DELETE get 403. */
  builtin: z.boolean(),
  created: z.string(),
});
export type PredictionEnvironmentRecord = z.infer<typeof PredictionEnvironmentRecordSchema>;

/** API.md §13.5/§13.6; the champion is `modelPackageId`. */
export const DeploymentRecordSchema = z.object({
  id: z.string(),
  label: z.string().min(1),
  description: z.string().nullable(),
  importance: z.enum(IMPORTANCES),
  status: z.enum(DEPLOYMENT_STATUSES),
  userProvidedId: z.string().nullable(),
  modelPackageId: z.string(),
  predictionEnvironmentId: z.string(),
  defaultPredictionServerId: z.string().nullable(),
  /** Only the sections and keys PATCHed so far; GET merges them over the defaults (§13.8). */
  settings: z.record(z.string(), z.unknown()),
  /** Why the deployment is `errored`; its logs say `ERROR: <reason>` (§13.9). */
  errorReason: z.string().nullable(),
  createdAt: z.string(),
});
export type DeploymentRecord = z.infer<typeof DeploymentRecordSchema>;

/** A challenger entry (§13.9); the champion has one too, first in the list. */
export const ChallengerRecordSchema = z.object({
  id: z.string(),
  deploymentId: z.string(),
  name: z.string(),
  modelPackageId: z.string(),
  predictionEnvironmentId: z.string(),
  isChampion: z.boolean(),
  created: z.string(),
});
export type ChallengerRecord = z.infer<typeof ChallengerRecordSchema>;

export const DeploymentLogRecordSchema = z.object({
  id: z.string(),
  deploymentId: z.string(),
  text: z.string(),
  created: z.string(),
});
export type DeploymentLogRecord = z.infer<typeof DeploymentLogRecordSchema>;

export const predictionEnvironments = docTable("prediction_environments", PredictionEnvironmentRecordSchema, {
  name: (e) => e.name,
  builtin: (e) => (e.builtin ? 1 : 0),
});

export const deployments = docTable("deployments", DeploymentRecordSchema, {
  label: (d) => d.label,
  user_provided_id: (d) => d.userProvidedId,
  model_package_id: (d) => d.modelPackageId,
  prediction_environment_id: (d) => d.predictionEnvironmentId,
});

export const challengers = docTable("challengers", ChallengerRecordSchema, {
  deployment_id: (c) => c.deploymentId,
  model_package_id: (c) => c.modelPackageId,
  prediction_environment_id: (c) => c.predictionEnvironmentId,
  is_champion: (c) => (c.isChampion ? 1 : 0),
});

export const deploymentLogs = docTable("deployment_logs", DeploymentLogRecordSchema, {
  deployment_id: (l) => l.deploymentId,
});

/** SQL: the deployment `d` serves a version of custom model `?` as its champion (§13.10). */
export const CHAMPION_OF_MODEL =
  "EXISTS (SELECT 1 FROM model_packages p WHERE p.id = d.model_package_id AND p.custom_model_id = ?)";

/** `deploymentsCount` of a custom model: deployments whose champion is one of its versions (§13.10). */
export function countDeploymentsOfModel(db: Database, customModelId: string): number {
  return (
    stmt<[string], { n: number }>(
      db,
      `SELECT count(*) AS n FROM deployments d WHERE ${CHAMPION_OF_MODEL}`,
    ).get(customModelId)?.n ?? 0
  );
}

/**
 * Whether a deployment uses a package of this scope, or this prediction environment, as champion or
 * challenger (DELETE -> 409). Every champion has a challenger entry too, so that table says it all.
 */
export function hasDeploymentsUsing(
  db: Database,
  scope: { customModelId: string } | { registeredModelId: string } | { predictionEnvironmentId: string },
): boolean {
  const [condition, id] =
    "customModelId" in scope
      ? ["p.custom_model_id = ?", scope.customModelId]
      : "registeredModelId" in scope
        ? ["p.registered_model_id = ?", scope.registeredModelId]
        : ["c.prediction_environment_id = ?", scope.predictionEnvironmentId];
  return (
    stmt<[string], { n: number }>(
      db,
      `SELECT EXISTS (SELECT 1 FROM challengers c JOIN model_packages p ON p.id = c.model_package_id WHERE ${condition}) AS n`,
    ).get(id)?.n === 1
  );
}
