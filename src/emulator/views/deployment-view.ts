import type { EmulatorContext } from "../context.js";
import { effectiveSettings } from "../domain/deployment-settings.js";
import type {
  ChallengerRecord,
  DeploymentRecord,
  PredictionEnvironmentRecord,
} from "../store/deployments.js";
import { predictionEnvironments } from "../store/deployments.js";
import {
  lastVersionNum,
  packages,
  type PackageRecord,
  type RegisteredModelRecord,
} from "../store/model-packages.js";
import { getModelRecord } from "../store/models.js";
import { getVersionRecord } from "../store/versions.js";
import { versionLabel } from "./version-view.js";

/** The Package object (API.md §13.2); also a registered model version. */
export function packageView(p: PackageRecord): Record<string, unknown> {
  return {
    id: p.id,
    name: p.name,
    modelId: p.versionId,
    customModelId: p.customModelId,
    registeredModelId: p.registeredModelId,
    registeredModelVersion: p.registeredModelVersion,
    buildStatus: p.buildStatus,
    stage: "Registered",
    target: p.target,
    tags: p.tags,
    textGeneration: p.textGeneration,
    created: p.created,
  };
}

/** The RegisteredModel object (API.md §13.3). */
export function registeredModelView(ctx: EmulatorContext, r: RegisteredModelRecord): Record<string, unknown> {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    lastVersionNum: lastVersionNum(ctx.db, r.id),
    isGlobal: r.isGlobal,
    createdAt: r.createdAt,
    modifiedAt: r.modifiedAt,
    target: r.target,
  };
}

/** The PredEnv object (API.md §13.4). */
export function predictionEnvironmentView(e: PredictionEnvironmentRecord): Record<string, unknown> {
  const { builtin: _builtin, ...fields } = e;
  return fields;
}

/** `model` of a deployment or challenger (§13.6): `id` is the version, `type` the custom model's name. */
function modelOf(ctx: EmulatorContext, p: PackageRecord): Record<string, unknown> {
  const name = getModelRecord(ctx.db, p.customModelId)?.name ?? p.customModelName;
  const version = getVersionRecord(ctx.db, p.versionId);
  return {
    id: p.versionId,
    type: name,
    targetName: p.target.name,
    targetType: p.target.type,
    projectId: null,
    customModelImage: {
      customModelId: p.customModelId,
      customModelVersionId: p.versionId,
      customModelName: name,
      customModelVersionLabel: version ? versionLabel(version) : null,
      executionEnvironmentId: version?.baseEnvironmentId ?? null,
      executionEnvironmentVersionId: version?.baseEnvironmentVersionId ?? null,
    },
  };
}

/** A package every deployment and challenger row refers to (foreign keys keep it there). */
export function packageOf(ctx: EmulatorContext, id: string): PackageRecord {
  const p = packages.get(ctx.db, id);
  if (p === undefined) throw new Error(`model package ${id} is missing`);
  return p;
}

function environmentOf(ctx: EmulatorContext, id: string): PredictionEnvironmentRecord {
  const e = predictionEnvironments.get(ctx.db, id);
  if (e === undefined) throw new Error(`prediction environment ${id} is missing`);
  return e;
}

const UNKNOWN_HEALTH = { status: "unknown", message: "", startDate: null, endDate: null };

/** The Deployment object (API.md §13.6). */
export function deploymentView(ctx: EmulatorContext, d: DeploymentRecord): Record<string, unknown> {
  const p = packageOf(ctx, d.modelPackageId);
  const e = environmentOf(ctx, d.predictionEnvironmentId);
  return {
    id: d.id,
    label: d.label,
    description: d.description,
    importance: d.importance,
    status: d.status,
    userProvidedId: d.userProvidedId,
    model: modelOf(ctx, p),
    modelPackage: { id: p.id, name: p.name, registeredModelId: p.registeredModelId },
    predictionEnvironment: {
      id: e.id,
      name: e.name,
      description: e.description,
      platform: e.platform,
      managedBy: e.managedBy,
      isManagedByManagementAgent: e.isManagedByManagementAgent,
    },
    defaultPredictionServer:
      d.defaultPredictionServerId === null
        ? null
        : { id: d.defaultPredictionServerId, url: "", "datarobot-key": "" },
    capabilities: {
      supportsDriftTracking: true,
      supportsModelReplacement: true,
      supportsChallengerModels: true,
    },
    predictionUsage: { dailyRates: [], lastTimestamp: null },
    permissions: ["CAN_VIEW", "CAN_UPDATE", "CAN_DELETE", "CAN_REPLACE_MODEL", "CAN_SHARE"],
    serviceHealth: UNKNOWN_HEALTH,
    modelHealth: UNKNOWN_HEALTH,
    accuracyHealth: UNKNOWN_HEALTH,
    createdAt: d.createdAt,
    createdBy: ctx.config.username,
  };
}

export function settingsView(d: DeploymentRecord): Record<string, unknown> {
  return effectiveSettings(d.settings);
}

/** A challenger entry (§13.9). */
export function challengerView(ctx: EmulatorContext, c: ChallengerRecord): Record<string, unknown> {
  const p = packageOf(ctx, c.modelPackageId);
  const e = environmentOf(ctx, c.predictionEnvironmentId);
  return {
    id: c.id,
    name: c.name,
    model: modelOf(ctx, p),
    modelPackage: { id: p.id, name: p.name },
    predictionEnvironment: { id: e.id, name: e.name },
  };
}
