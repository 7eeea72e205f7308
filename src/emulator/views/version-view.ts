import { runtimeParameterEntries } from "../domain/runtime-parameters.js";
import type { ItemRecord, VersionRecord } from "../store/versions.js";

/** `"<major>.<minor>"` (API.md §2.5). */
export function versionLabel(v: Pick<VersionRecord, "versionMajor" | "versionMinor">): string {
  return `${v.versionMajor}.${v.versionMinor}`;
}

/** An item as the API shows it: no checksum or size (API.md §2.9), repository fields null. */
export function itemView(item: ItemRecord): Record<string, unknown> {
  return {
    id: item.id,
    fileName: item.fileName,
    filePath: item.filePath,
    fileSource: "local",
    created: item.created,
    repositoryLocation: null,
    repositoryName: null,
    repositoryFilePath: null,
    ref: null,
    commitSha: null,
    storagePath: null,
    workspaceId: null,
  };
}

/** The Version object (API.md §2.9); closed sub-objects carry exactly their documented keys. */
export function versionView(v: VersionRecord): Record<string, unknown> {
  return {
    id: v.id,
    customModelId: v.customModelId,
    versionMajor: v.versionMajor,
    versionMinor: v.versionMinor,
    label: versionLabel(v),
    description: v.description,
    isFrozen: v.isFrozen,
    created: v.created,
    items: v.items.map(itemView),
    baseEnvironmentId: v.baseEnvironmentId,
    baseEnvironmentVersionId: v.baseEnvironmentVersionId,
    dependencies: v.dependencies,
    networkEgressPolicy: v.networkEgressPolicy,
    maximumMemory: v.maximumMemory,
    replicas: v.replicas,
    resourceBundleId: v.resourceBundleId,
    requiredMetadataValues: v.requiredMetadataValues.map((r) => ({ fieldName: r.fieldName, value: r.value })),
    requiredMetadata: Object.fromEntries(v.requiredMetadataValues.map((r) => [r.fieldName, r.value])),
    trainingData: v.trainingData && {
      datasetId: v.trainingData.datasetId,
      datasetVersionId: v.trainingData.datasetVersionId,
      datasetName: v.trainingData.datasetName,
      assignmentInProgress: v.trainingData.assignmentInProgress,
      assignmentError: v.trainingData.assignmentError && { message: v.trainingData.assignmentError.message },
    },
    holdoutData: v.holdoutData,
    runtimeParameters: runtimeParameterEntries(v.runtimeParameterDefinitions, v.runtimeParameterOverrides),
    gitModelVersion: v.gitModelVersion,
  };
}
