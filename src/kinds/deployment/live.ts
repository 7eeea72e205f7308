import { z } from "zod";
import type { Deployment, DeploymentSettings, PredictionEnvironment } from "../../client/wire/deployment.js";
import { parseDescription, TrailerSchema } from "../../reconcile/trailer.js";
import { liveSettings, type ManagedSettings } from "./settings.js";

/**
 * Deployments in the namespace (`userProvidedId` = key) as one listing shows them: label,
 * description (with its trailer), importance and the champion. Settings are not in the listing;
 * they are fetched per deployment only when a plan asks (`deploymentSettings`).
 */

export const LiveDeploymentSchema = z.object({
  id: z.string(),
  key: z.string(),
  label: z.string(),
  /** Full description ("" when never set); `trailer` is its parsed drgitops trailer. */
  description: z.string(),
  trailer: TrailerSchema.nullable(),
  importance: z.string(),
  status: z.string().nullable(),
  champion: z.object({
    packageId: z.string().nullable(),
    versionId: z.string().nullable(),
    versionLabel: z.string().nullable(),
    customModelId: z.string().nullable(),
    /** The served custom model's display name, as the deployment reports it (status shows it). */
    customModelName: z.string().nullable(),
    registeredModelId: z.string().nullable(),
  }),
  targetType: z.string().nullable(),
  predictionEnvironmentId: z.string().nullable(),
});
export type LiveDeployment = z.infer<typeof LiveDeploymentSchema>;

/** A custom model a deployment names by id (outside the namespace's listing): fetched on request. */
export const LiveServedModelSchema = z.object({
  id: z.string(),
  targetType: z.string(),
  latestVersion: z.object({ id: z.string(), label: z.string() }).nullable(),
});
export type LiveServedModel = z.infer<typeof LiveServedModelSchema>;

export interface LiveDeployments {
  deployments: LiveDeployment[];
  predictionEnvironments: { id: string; name: string }[];
  /** Deployment id -> its settings, only for the deployments a plan asked for. */
  settings: Record<string, ManagedSettings>;
  /** Custom model id -> the model (null: it does not exist), only for `model: {id}` deployments. */
  models: Record<string, LiveServedModel | null>;
}

export function emptyLiveDeployments(): LiveDeployments {
  return { deployments: [], predictionEnvironments: [], settings: {}, models: {} };
}

export function liveDeploymentsFrom(
  namespace: string,
  deployments: readonly Deployment[],
  environments: readonly PredictionEnvironment[],
): LiveDeployments {
  const prefix = `${namespace}/`;
  return {
    deployments: deployments.flatMap((d) =>
      d.userProvidedId?.startsWith(prefix) ? [liveDeployment(d, d.userProvidedId)] : [],
    ),
    predictionEnvironments: environments.map((e) => ({ id: e.id, name: e.name })),
    settings: {},
    models: {},
  };
}

function liveDeployment(d: Deployment, key: string): LiveDeployment {
  const description = d.description ?? "";
  const image = d.model?.customModelImage;
  return {
    id: d.id,
    key,
    label: d.label,
    description,
    trailer: parseDescription(description).trailer,
    importance: d.importance ?? "LOW",
    status: d.status ?? null,
    champion: {
      packageId: d.modelPackage?.id ?? null,
      versionId: image?.customModelVersionId ?? d.model?.id ?? null,
      versionLabel: image?.customModelVersionLabel ?? null,
      customModelId: image?.customModelId ?? null,
      customModelName: image?.customModelName ?? null,
      registeredModelId: d.modelPackage?.registeredModelId ?? null,
    },
    targetType: d.model?.targetType ?? null,
    predictionEnvironmentId: d.predictionEnvironment?.id ?? null,
  };
}

export { liveSettings };
export type { DeploymentSettings };
