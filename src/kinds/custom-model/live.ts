import { z } from "zod";
import type { Credential } from "../../client/wire/credential.js";
import type { CustomModel } from "../../client/wire/custom-model.js";
import type { CustomModelTest } from "../../client/wire/test.js";
import type { CustomModelVersion } from "../../client/wire/version.js";
import { TestOutcomeSchema } from "../../reconcile/action.js";
import { parseDescription, TrailerSchema } from "../../reconcile/trailer.js";
import { VersionFileDigestSchema, type VersionFileDigest } from "../../reconcile/diff.js";
import { liveModelFields, LiveModelFieldsSchema } from "./fields.js";

/**
 * What DataRobot holds of custom models, reduced to what reconciling needs. Only models whose
 * `userProvidedId` is in the namespace are here (everything else is invisible to plan, apply and
 * prune); observing costs O(pages) list requests, not O(models).
 */

export const LiveRuntimeParameterSchema = z.object({
  fieldName: z.string(),
  type: z.string(),
  /** API.md §2.7: null means "no override, the default applies". Values may be secrets: never print them. */
  overrideValue: z.union([z.string(), z.number(), z.boolean()]).nullable(),
  currentValue: z.union([z.string(), z.number(), z.boolean()]).nullable(),
});
export type LiveRuntimeParameter = z.infer<typeof LiveRuntimeParameterSchema>;

export const LiveVersionSchema = z.object({
  id: z.string(),
  label: z.string(),
  /** When it was made (absent when the API does not say); shown by `status`, never compared. */
  created: z.string().optional(),
  /** Full description; `trailer` is its parsed drgitops trailer (null when absent or malformed). */
  description: z.string(),
  trailer: TrailerSchema.nullable(),
  isFrozen: z.boolean(),
  items: z.array(z.object({ id: z.string(), filePath: z.string() })),
  baseEnvironmentId: z.string().nullable(),
  baseEnvironmentVersionId: z.string().nullable(),
  maximumMemory: z.number().nullable(),
  replicas: z.number().nullable(),
  networkEgressPolicy: z.string().nullable(),
  resourceBundleId: z.string().nullable(),
  runtimeParameters: z.array(LiveRuntimeParameterSchema),
  trainingData: z.object({ datasetId: z.string().nullable() }).nullable(),
  holdoutData: z
    .object({ datasetId: z.string().nullable(), partitionColumn: z.string().nullable() })
    .nullable(),
});
export type LiveVersion = z.infer<typeof LiveVersionSchema>;

export const LiveModelSchema = LiveModelFieldsSchema.extend({
  id: z.string(),
  /** The model's `userProvidedId`, always `<namespace>/...`. */
  key: z.string(),
  /** The full description; `trailer` is its parsed drgitops trailer. */
  description: z.string(),
  trailer: TrailerSchema.nullable(),
  targetType: z.string(),
  /** Moves on every PATCH and new version: half of the expected fingerprint of a saved plan. */
  updated: z.string().nullable(),
  deploymentsCount: z.number().int(),
  isTrainingDataForVersionsPermanentlyEnabled: z.boolean(),
  latestVersion: LiveVersionSchema.nullable(),
});
export type LiveModel = z.infer<typeof LiveModelSchema>;

export const LiveTestSchema = z.object({
  id: z.string(),
  versionId: z.string(),
  /** `in_progress` or a final TestOutcome. */
  overallStatus: z.union([TestOutcomeSchema, z.literal("in_progress")]),
  /** Failed checks with their messages, for the gate's explanation. */
  failedChecks: z.array(z.object({ check: z.string(), message: z.string() })),
  /** Cancelled before it finished (API.md §3.2): says nothing about the model, so it gates nothing. */
  cancelled: z.literal(true).optional(),
});
export type LiveTest = z.infer<typeof LiveTestSchema>;

/** Per-file digests of a live version (from the version cache, or a download). */
export const LiveFileSchema = VersionFileDigestSchema;
export type LiveFile = VersionFileDigest;

/** The custom model kind's part of the live state. */
export interface LiveModels {
  models: LiveModel[];
  /** Credential name -> id (runtime parameters name credentials). Ids are not secret. */
  credentials: Record<string, string>;
  /** Model key -> its latest test (null: none), only for the models a plan asked for. */
  latestTests: Record<string, LiveTest | null>;
  /** Version id -> per-file digests, only for the versions a plan asked for. */
  versionFiles: Record<string, LiveFile[]>;
}

export function emptyLiveModels(): LiveModels {
  return { models: [], credentials: {}, latestTests: {}, versionFiles: {} };
}

/**
 * The name (after `<namespace>/`) of the model that serves as the namespace's apply lock
 * (apply-lock.ts). It can never be a manifest's name (those have no dot), and it is never paired.
 */
export const APPLY_LOCK_NAME = ".drgitops-apply-lock";

/** Listings -> live part: keeps only the namespace's models; the first credential of a name wins. */
export function liveModelsFrom(
  namespace: string,
  models: readonly CustomModel[],
  credentials: readonly Credential[],
): LiveModels {
  const prefix = `${namespace}/`;
  const byName: Record<string, string> = {};
  for (const c of credentials) byName[c.name] ??= c.credentialId;
  return {
    models: models.flatMap((m) =>
      m.userProvidedId?.startsWith(prefix) && m.userProvidedId !== `${prefix}${APPLY_LOCK_NAME}`
        ? [liveModel(m, m.userProvidedId)]
        : [],
    ),
    credentials: byName,
    latestTests: {},
    versionFiles: {},
  };
}

function liveModel(m: CustomModel, key: string): LiveModel {
  return {
    // The table's fields as the API returns them, absent ones as null.
    ...liveModelFields(m),
    id: m.id,
    key,
    description: m.description,
    trailer: parseDescription(m.description).trailer,
    targetType: m.targetType,
    updated: m.updated ?? null,
    deploymentsCount: m.deploymentsCount ?? 0,
    isTrainingDataForVersionsPermanentlyEnabled: m.isTrainingDataForVersionsPermanentlyEnabled ?? false,
    latestVersion: m.latestVersion ? liveVersion(m.latestVersion) : null,
  };
}

export function liveVersion(v: CustomModelVersion): LiveVersion {
  const description = v.description ?? "";
  return {
    id: v.id,
    label: v.label ?? `${v.versionMajor}.${v.versionMinor}`,
    ...(v.created ? { created: v.created } : {}),
    description,
    trailer: parseDescription(description).trailer,
    isFrozen: v.isFrozen,
    items: v.items.map((i) => ({ id: i.id, filePath: i.filePath })),
    baseEnvironmentId: v.baseEnvironmentId ?? null,
    baseEnvironmentVersionId: v.baseEnvironmentVersionId ?? null,
    maximumMemory: v.maximumMemory ?? null,
    replicas: v.replicas ?? null,
    networkEgressPolicy: v.networkEgressPolicy ?? null,
    resourceBundleId: v.resourceBundleId ?? null,
    runtimeParameters: (v.runtimeParameters ?? []).map((p) => ({
      fieldName: p.fieldName,
      type: p.type,
      overrideValue: p.overrideValue ?? null,
      currentValue: p.currentValue ?? null,
    })),
    trainingData: v.trainingData ? { datasetId: v.trainingData.datasetId ?? null } : null,
    holdoutData: v.holdoutData
      ? { datasetId: v.holdoutData.datasetId ?? null, partitionColumn: v.holdoutData.partitionColumn ?? null }
      : null,
  };
}

const FINAL_OUTCOMES = new Set<string>(TestOutcomeSchema.options);

/** API.md §3.2: a cancelled test ends failed with this errorCheck message. */
export const CANCELLED_TEST_MESSAGE = "Testing was cancelled";

/** A test that was cancelled (`drgitops cancel`, the UI): it ended failed, but nothing failed. */
export function wasCancelled(t: Pick<CustomModelTest, "overallStatus" | "testingStatus">): boolean {
  return t.overallStatus === "failed" && t.testingStatus["errorCheck"]?.message === CANCELLED_TEST_MESSAGE;
}

/** A test's status as the gate reads it; an unknown status counts as still running (never as a pass). */
export function liveTest(t: CustomModelTest): LiveTest {
  const status = t.overallStatus;
  return {
    id: t.id,
    versionId: t.customModelVersion?.id ?? t.customModelImageId ?? "",
    overallStatus: FINAL_OUTCOMES.has(status) ? (status as LiveTest["overallStatus"]) : "in_progress",
    failedChecks: Object.entries(t.testingStatus)
      .filter(([, s]) => s.status === "failed")
      .map(([check, s]) => ({ check, message: s.message ?? "" })),
    ...(wasCancelled(t) ? { cancelled: true as const } : {}),
  };
}
