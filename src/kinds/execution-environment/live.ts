import { z } from "zod";
import type { Environment, EnvironmentVersion } from "../../client/wire/environment.js";
import { parseDescription, TrailerSchema } from "../../reconcile/trailer.js";

export const LiveEnvironmentVersionSchema = z.object({
  id: z.string(),
  label: z.string(),
  /** When it was made (absent when the API does not say); shown by `status`, never compared. */
  created: z.string().optional(),
  description: z.string(),
  trailer: TrailerSchema.nullable(),
  buildStatus: z.string(),
});
export type LiveEnvironmentVersion = z.infer<typeof LiveEnvironmentVersionSchema>;

export const LiveEnvironmentSchema = z.object({
  id: z.string(),
  /** The trailer's key when drgitops manages it; null for environments referenced by id or name. */
  key: z.string().nullable(),
  name: z.string(),
  description: z.string(),
  trailer: TrailerSchema.nullable(),
  programmingLanguage: z.string(),
  useCases: z.array(z.string()),
  latestVersion: LiveEnvironmentVersionSchema.nullable(),
  latestSuccessfulVersion: LiveEnvironmentVersionSchema.nullable(),
});
export type LiveEnvironment = z.infer<typeof LiveEnvironmentSchema>;

/** Every execution environment: drgitops' own (by trailer) and those models reference by id or name. */
export interface LiveEnvironments {
  environments: LiveEnvironment[];
  /** Environment id -> every version, newest first: only for the environments a plan asked for. */
  versions: Record<string, LiveEnvironmentVersion[]>;
}

export function emptyLiveEnvironments(): LiveEnvironments {
  return { environments: [], versions: {} };
}

export function liveEnvironmentVersion(v: EnvironmentVersion): LiveEnvironmentVersion {
  const description = v.description ?? "";
  return {
    id: v.id,
    label: v.label ?? v.id,
    ...(v.created ? { created: v.created } : {}),
    description,
    trailer: parseDescription(description).trailer,
    buildStatus: v.buildStatus,
  };
}

export function liveEnvironment(e: Environment): LiveEnvironment {
  const description = e.description ?? "";
  const trailer = parseDescription(description).trailer;
  return {
    id: e.id,
    key: trailer?.key ?? null,
    name: e.name,
    description,
    trailer,
    programmingLanguage: e.programmingLanguage ?? "other",
    useCases: e.useCases ?? [],
    latestVersion: e.latestVersion ? liveEnvironmentVersion(e.latestVersion) : null,
    latestSuccessfulVersion: e.latestSuccessfulVersion
      ? liveEnvironmentVersion(e.latestSuccessfulVersion)
      : null,
  };
}
