import { z } from "zod";
import type { ModelPackage, RegisteredModel } from "../../client/wire/deployment.js";
import { parseDescription, TrailerSchema } from "../../reconcile/trailer.js";

/**
 * Registered models and model packages (= registered model versions, API.md §13.2-13.3), as
 * listed: two listings whatever their number. Every package is kept (deployments serve packages of
 * any registered model, or none); a registered model is drgitops' when its description carries a
 * trailer with a key in the namespace.
 */

export const LiveRegisteredModelSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** Full description; `trailer` is its parsed drgitops trailer. */
  description: z.string(),
  trailer: TrailerSchema.nullable(),
  isGlobal: z.boolean(),
  targetType: z.string().nullable(),
  lastVersionNum: z.number().int(),
  /** Moves on PATCH and on each new version: the expected state of a saved plan. */
  modifiedAt: z.string().nullable(),
});
export type LiveRegisteredModel = z.infer<typeof LiveRegisteredModelSchema>;

export const LivePackageSchema = z.object({
  id: z.string(),
  /** The custom model version it packages. */
  versionId: z.string().nullable(),
  customModelId: z.string().nullable(),
  registeredModelId: z.string().nullable(),
  registeredModelVersion: z.number().int().nullable(),
  targetType: z.string().nullable(),
});
export type LivePackage = z.infer<typeof LivePackageSchema>;

export interface LiveRegisteredModels {
  registeredModels: LiveRegisteredModel[];
  packages: LivePackage[];
}

export function emptyLiveRegisteredModels(): LiveRegisteredModels {
  return { registeredModels: [], packages: [] };
}

export function liveRegisteredModel(r: RegisteredModel): LiveRegisteredModel {
  const description = r.description ?? "";
  return {
    id: r.id,
    name: r.name,
    description,
    trailer: parseDescription(description).trailer,
    isGlobal: r.isGlobal ?? false,
    targetType: r.target?.type ?? null,
    lastVersionNum: r.lastVersionNum ?? 0,
    modifiedAt: r.modifiedAt ?? null,
  };
}

export function livePackage(p: ModelPackage): LivePackage {
  return {
    id: p.id,
    versionId: p.modelId ?? null,
    customModelId: p.customModelId ?? null,
    registeredModelId: p.registeredModelId ?? null,
    registeredModelVersion: p.registeredModelVersion ?? null,
    targetType: p.target?.type ?? null,
  };
}

/** Paired by the trailer's key; one without a trailer of the namespace is not drgitops' (found by name only to adopt it). */
export function registeredModelIdentities(r: LiveRegisteredModel, namespace: string): string[] {
  const key = r.trailer?.key;
  return key !== undefined && key.startsWith(`${namespace}/`) ? [key] : [];
}

/** The newest registered version of a registered model: what deployments on it serve. */
export function newestPackage(
  packages: readonly LivePackage[],
  registeredModelId: string,
): LivePackage | undefined {
  let newest: LivePackage | undefined;
  for (const p of packages)
    if (
      p.registeredModelId === registeredModelId &&
      (newest === undefined || (p.registeredModelVersion ?? 0) > (newest.registeredModelVersion ?? 0))
    )
      newest = p;
  return newest;
}
