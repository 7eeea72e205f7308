import type { PendingId } from "../../reconcile/action.js";
import { canonicalJson } from "../../spec/canonical-json.js";
import { compareCodePoints, normalisePosixPath, sha256Digest, type Digest } from "../../spec/digest.js";
import { memoByIdentity } from "../../spec/memo.js";
import type { VersionSpec } from "./actions.js";
import { resourcesFingerprint, type ModelFields } from "./fields.js";

/**
 * Fingerprints computed from plan data. The plan and apply both call these on the same VersionSpec,
 * so the trailer apply writes is, by construction, what the next plan compares against.
 */

/** Ids produced by actions of this plan, once apply has run them (action id -> field -> id). */
export type ProducedIds = ReadonlyMap<string, Readonly<Record<string, string>>>;

const NONE: ProducedIds = new Map();

/**
 * DESIGN.md §5: the SHA-256 of a canonical JSON of everything that defines a version (files, environment,
 * resources, runtime parameter values with credentials by id and sensitive values by digest, training
 * and holdout data). Null while the spec names an id this plan has not produced yet.
 */
export function versionSpecFingerprint(full: VersionSpec, produced: ProducedIds = NONE): Digest | null {
  const spec = { ...full };
  for (const field of full.unmanaged) spec[field] = null;
  const environment = spec.environment === null ? null : resolveEnvironment(spec.environment, produced);
  const training = spec.trainingData === null ? null : resolveDataset(spec.trainingData.dataset, produced);
  const holdout = spec.holdoutData === null ? null : resolveDataset(spec.holdoutData.dataset, produced);
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
  // canonicalJson of {environment, files, holdoutData, resources, runtimeParameters, trainingData},
  // written out in that (sorted) key order. The file list, most of the text, is serialised once per
  // list, and a list's last digest is reused while the rest of the text is the same: `watch` plans
  // the same lists on every save. The same text, so the same digest, as canonicalJson of the object.
  const head = `{"environment":${canonicalJson(environment ?? { id: "" })},"files":`;
  const tail =
    `,"holdoutData":${canonicalJson(holdout !== null ? { datasetId: holdout } : {})}` +
    `,"resources":${canonicalJson(resourcesFingerprint(spec.resources ?? {}))}` +
    `,"runtimeParameters":${canonicalJson(runtimeParameters)}` +
    `,"trainingData":${canonicalJson({
      ...(training !== null ? { datasetId: training } : {}),
      ...(spec.trainingData?.partitionColumn !== undefined
        ? { partitionColumn: spec.trainingData.partitionColumn }
        : {}),
    })}}`;
  const list = filesOf(spec.files ?? NO_FILES);
  if (list.last?.head !== head || list.last.tail !== tail)
    list.last = { head, tail, digest: sha256Digest(head + list.json + tail) };
  return list.last.digest;
}

const NO_FILES: NonNullable<VersionSpec["files"]> = [];

/** A file list's canonical JSON (sorted by normalised path), and its last fingerprint's other parts. */
const filesOf = memoByIdentity(
  (
    files: NonNullable<VersionSpec["files"]>,
  ): {
    json: string;
    last?: { head: string; tail: string; digest: Digest };
  } => ({
    json: canonicalJson(
      files
        .map((f) => ({ path: normalisePosixPath(f.path), sha256: f.sha256 }))
        .sort((a, b) => compareCodePoints(a.path, b.path)),
    ),
  }),
);

function resolveEnvironment(
  env: NonNullable<VersionSpec["environment"]>,
  produced: ProducedIds,
): { id: string; versionId: string } | undefined {
  if (!("fromAction" in env)) return env;
  const ids = produced.get(env.fromAction);
  const id = ids?.["environmentId"];
  const versionId = ids?.["environmentVersionId"];
  return id !== undefined && versionId !== undefined ? { id, versionId } : undefined;
}

function resolveDataset(ref: PendingId, produced: ProducedIds): string | undefined {
  return "fromAction" in ref ? produced.get(ref.fromAction)?.["datasetId"] : ref.id;
}

/** Digest of the managed model-level fields as declared: recorded as `Drgitops-Applied`. */
export function modelFieldsDigest(fields: ModelFields): Digest {
  return sha256Digest(canonicalJson(fields));
}
