import type { EmulatorContext } from "../context.js";
import type { ModelRecord } from "../store/models.js";
import { countDeploymentsOfModel } from "../store/deployments.js";
import { latestVersionRecord } from "../store/versions.js";
import { versionView } from "./version-view.js";

/**
 * The Model object (API.md §1.3). Never includes `supportsBinaryClassification`/`supportsRegression`
 * (PY raises when one contradicts `targetType`).
 */
export function modelView(ctx: EmulatorContext, m: ModelRecord): Record<string, unknown> {
  const latest = latestVersionRecord(ctx.db, m.id);
  return {
    id: m.id,
    name: m.name,
    description: m.description,
    customModelType: "inference",
    targetType: m.targetType,
    targetName: m.targetName,
    positiveClassLabel: m.positiveClassLabel,
    negativeClassLabel: m.negativeClassLabel,
    predictionThreshold: m.predictionThreshold,
    classLabels: m.classLabels,
    language: m.language,
    latestVersion: latest ? versionView(latest) : null,
    deploymentsCount: countDeploymentsOfModel(ctx.db, m.id),
    createdBy: ctx.config.username,
    created: m.created,
    updated: m.updated,
    trainingDatasetId: m.trainingDatasetId,
    trainingDatasetVersionId: m.trainingDatasetVersionId,
    trainingDataFileName: m.trainingDataFileName,
    trainingDataPartitionColumn: m.trainingDataPartitionColumn,
    trainingDataAssignmentInProgress: m.trainingDataAssignmentInProgress,
    networkEgressPolicy: m.networkEgressPolicy,
    maximumMemory: m.maximumMemory,
    desiredMemory: m.desiredMemory,
    replicas: m.replicas,
    isTrainingDataForVersionsPermanentlyEnabled: m.isTrainingDataForVersionsPermanentlyEnabled,
    isProxyModel: m.isProxyModel,
    isUnstructuredModelKind: m.isUnstructuredModelKind,
    tags: m.tags,
    userProvidedId: m.userProvidedId,
    gitModelVersion: m.gitModelVersion,
    externalMlopsStatsConfig: m.externalMlopsStatsConfig,
  };
}
