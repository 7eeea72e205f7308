import { createHash } from "node:crypto";
import { canonicalJson } from "../spec/canonical-json.js";
import { versionFingerprint } from "../spec/fingerprint.js";
import type { ModelFields } from "./desired.js";
import type { PendingId, VersionSpec } from "./plan-file.js";
import type { Digest } from "./trailer.js";

/**
 * Fingerprints computed from plan data. The plan and apply both call these on the same VersionSpec,
 * so the trailer apply writes is, by construction, what the next plan compares against.
 */

/** Ids produced by actions of this plan, once apply has run them. */
export interface ResolvedIds {
  /** Action id -> the dataset id it uploaded (or found). */
  datasets: Readonly<Record<string, string>>;
  /** Action id -> the environment (and its version) it created or built. */
  environments: Readonly<Record<string, { id: string; versionId: string }>>;
}

const NO_IDS: ResolvedIds = { datasets: {}, environments: {} };

/** The fingerprint of a version spec, or null while it names an id this plan has not produced yet. */
export function versionSpecFingerprint(full: VersionSpec, resolved: ResolvedIds = NO_IDS): Digest | null {
  const spec = { ...full };
  for (const field of full.unmanaged) spec[field] = null;
  const environment = spec.environment === null ? null : resolveEnvironment(spec.environment, resolved);
  const training = spec.trainingData === null ? null : resolveDataset(spec.trainingData.dataset, resolved);
  const holdout = spec.holdoutData === null ? null : resolveDataset(spec.holdoutData.dataset, resolved);
  if (environment === undefined || training === undefined || holdout === undefined) return null;
  const runtimeParameters: Record<string, { type: string; value: string | number | boolean }> = {};
  for (const p of spec.runtimeParameterValues ?? []) {
    // A reset is a transition, not a state: the version it makes equals one that never had the override.
    if (p.source === "default") continue;
    runtimeParameters[p.fieldName] = {
      type: p.type,
      value: p.source === "sensitive" ? p.valueHash : p.value,
    };
  }
  const resources = spec.resources ?? {};
  return versionFingerprint({
    files: spec.files ?? [],
    // An empty id stands for "not managed": it can never equal a real environment id.
    environment: environment ?? { id: "" },
    resources: {
      ...(resources.maximumMemory !== undefined ? { memoryBytes: resources.maximumMemory } : {}),
      ...(resources.replicas !== undefined ? { replicas: resources.replicas } : {}),
      ...(resources.networkEgressPolicy !== undefined
        ? { networkEgressPolicy: resources.networkEgressPolicy }
        : {}),
    },
    runtimeParameters,
    trainingData: {
      ...(training !== null ? { datasetId: training } : {}),
      ...(spec.trainingData?.partitionColumn !== undefined
        ? { partitionColumn: spec.trainingData.partitionColumn }
        : {}),
    },
    holdoutData: holdout !== null ? { datasetId: holdout } : {},
  });
}

function resolveEnvironment(
  env: NonNullable<VersionSpec["environment"]>,
  resolved: ResolvedIds,
): { id: string; versionId: string } | undefined {
  return "fromAction" in env ? resolved.environments[env.fromAction] : env;
}

function resolveDataset(ref: PendingId, resolved: ResolvedIds): string | undefined {
  return "fromAction" in ref ? resolved.datasets[ref.fromAction] : ref.id;
}

/** sha256 of text as "sha256:<hex>": how sensitive values and digests of data are written. */
export function sha256Digest(text: string): Digest {
  return `sha256:${createHash("sha256").update(text).digest("hex")}`;
}

/** Digest of the managed model-level fields as declared: recorded as `Drgitops-Applied`. */
export function modelFieldsDigest(fields: ModelFields): Digest {
  return sha256Digest(canonicalJson(fields));
}
