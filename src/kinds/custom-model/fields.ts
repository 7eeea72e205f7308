import { z } from "zod";
import { NetworkEgressPolicySchema } from "../../client/wire/common.js";
import type { CustomModel, TagSchema } from "../../client/wire/custom-model.js";
import { compareCodePoints } from "../../spec/digest.js";

/**
 * The field tables of a custom model: for each field, the manifest field it comes from, its desired
 * value, how it is read back from DataRobot, and the key it has on the wire (and in the version
 * fingerprint). Tracing `spec.resources.memory` from YAML to the HTTP body: schema.ts (the manifest
 * field), this table (desired, live, fingerprint and wire keys), apply-version.ts (the body).
 */

/**
 * Model-level fields (PATCH customModels/{id}/), by wire key: the manifest fields they come from
 * (as `lifecycle.ignoreChanges` names them), the desired value's schema, and the live value's (as the
 * API returns it; the description without its trailer).
 */
export const MODEL_FIELDS = {
  name: { manifest: ["displayName"], desired: z.string().min(1), live: z.string() },
  description: { manifest: ["description"], desired: z.string(), live: z.string() },
  targetName: { manifest: ["targetName"], desired: z.string().min(1), live: z.string().nullable() },
  positiveClassLabel: { manifest: ["positiveClassLabel"], desired: z.string(), live: z.string().nullable() },
  negativeClassLabel: { manifest: ["negativeClassLabel"], desired: z.string(), live: z.string().nullable() },
  predictionThreshold: {
    manifest: ["predictionThreshold"],
    desired: z.number().min(0).max(1),
    live: z.number().nullable(),
  },
  classLabels: {
    manifest: ["classLabels", "classLabelsFile"],
    desired: z.array(z.string()),
    live: z.array(z.string()).nullable(),
  },
  language: { manifest: ["language"], desired: z.string(), live: z.string() },
  /** A map here; `[{name, value}]` on the wire (modelFieldsToWire, liveModelFields). */
  tags: {
    manifest: ["tags"],
    desired: z.record(z.string(), z.string()),
    live: z.record(z.string(), z.string()),
  },
} as const;

export type ModelFieldName = keyof typeof MODEL_FIELDS;
export const MODEL_FIELD_NAMES = Object.keys(MODEL_FIELDS) as ModelFieldName[];

type Column = "desired" | "live";
type Shape<C extends Column> = { [F in ModelFieldName]: (typeof MODEL_FIELDS)[F][C] };

/** One column of the table as a zod object shape. */
function shape<C extends Column>(column: C): Shape<C> {
  return Object.fromEntries(MODEL_FIELD_NAMES.map((f) => [f, MODEL_FIELDS[f][column]])) as Shape<C>;
}

/**
 * Model-level fields as desired: only those a manifest declares are present, and only present ones
 * are managed (a field set in the UI and absent from the manifest is left alone).
 */
export const ModelFieldsSchema = z.object(shape("desired")).partial();
export type ModelFields = z.infer<typeof ModelFieldsSchema>;

/** Model-level fields as listed: every one, null where DataRobot has none. */
export const LiveModelFieldsSchema = z.object(shape("live"));
export type LiveModelFields = z.infer<typeof LiveModelFieldsSchema>;

type WireTag = z.infer<typeof TagSchema>;

/**
 * Wire tags -> a map. PATCH replaces the whole list (API.md §1.2), so a name given twice (possible
 * in the UI) is read as its values joined: it never equals a manifest, and the next PATCH fixes it.
 */
export function tagsFromWire(tags: readonly WireTag[] | undefined): Record<string, string> {
  const grouped = new Map<string, string[]>();
  for (const t of tags ?? []) grouped.set(t.name, [...(grouped.get(t.name) ?? []), t.value]);
  return Object.fromEntries([...grouped].map(([name, values]) => [name, values.join(", ")]));
}

/** A tag map -> the wire list, sorted by name so equal maps send equal bodies. */
export function tagsToWire(tags: Readonly<Record<string, string>>): WireTag[] {
  return Object.entries(tags)
    .sort(([a], [b]) => compareCodePoints(a, b))
    .map(([name, value]) => ({ name, value }));
}

/** The table's fields of a listed model, as the live state holds them. */
export function liveModelFields(m: CustomModel): LiveModelFields {
  const out: Record<string, unknown> = {};
  for (const f of MODEL_FIELD_NAMES) out[f] = f === "tags" ? tagsFromWire(m.tags) : (m[f] ?? null);
  return out as LiveModelFields;
}

/** A create or PATCH body with the table's fields in their wire shape (tags as a list). */
export function modelFieldsToWire<B extends object>(body: B): Omit<B, "tags"> & { tags?: WireTag[] } {
  const { tags, ...rest } = body as B & { tags?: Record<string, string> };
  return tags === undefined ? rest : { ...rest, tags: tagsToWire(tags) };
}

/**
 * Version-level resource fields: `manifest` under `spec.resources`, `wire` the version field (and the
 * desired version's), `fingerprint` the key in the version fingerprint (kept stable across releases).
 */
export const RESOURCE_FIELDS = [
  { manifest: "memory", wire: "maximumMemory", fingerprint: "memoryBytes" },
  { manifest: "replicas", wire: "replicas", fingerprint: "replicas" },
  { manifest: "networkEgressPolicy", wire: "networkEgressPolicy", fingerprint: "networkEgressPolicy" },
  // Absent from the fingerprint unless set, so fingerprints of versions without a bundle never change.
  { manifest: "bundle", wire: "resourceBundleId", fingerprint: "resourceBundleId" },
] as const;

/** A version's resources, by wire key; absent = not declared (the new version inherits the live value). */
export const VersionResourcesSchema = z.object({
  maximumMemory: z.number().int().positive().optional(),
  replicas: z.number().int().min(1).optional(),
  networkEgressPolicy: NetworkEgressPolicySchema.optional(),
  resourceBundleId: z.string().min(1).optional(),
});
export type VersionResources = z.infer<typeof VersionResourcesSchema>;
export type ResourceWireKey = (typeof RESOURCE_FIELDS)[number]["wire"];

/**
 * Manifest `spec.resources` (memory already in bytes) -> desired version resources. With a bundle,
 * memory is not sent (the bundle sets it), as the Terraform provider does.
 */
export function resourcesFromManifest(
  resources: Readonly<Record<string, unknown>> | undefined,
): VersionResources {
  const out: Record<string, unknown> = {};
  for (const f of RESOURCE_FIELDS) {
    const value = resources?.[f.manifest];
    if (value !== undefined) out[f.wire] = value;
  }
  if (out["resourceBundleId"] !== undefined) delete out["maximumMemory"];
  return VersionResourcesSchema.parse(out);
}

/** Desired version resources -> their part of the fingerprint input. */
export function resourcesFingerprint(resources: VersionResources): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of RESOURCE_FIELDS) {
    const value = resources[f.wire];
    if (value !== undefined) out[f.fingerprint] = value;
  }
  return out;
}
