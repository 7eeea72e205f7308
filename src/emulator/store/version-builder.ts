import type { EmulatorContext } from "../context.js";
import { parseModelMetadata } from "../domain/model-metadata.js";
import { parseRequirements } from "../domain/requirements.js";
import { mergeRuntimeOverrides } from "../domain/runtime-parameters.js";
import { HttpError, invalid } from "../http/errors.js";
import { getDataset } from "../routes/datasets.js";
import { getCredentialRecord } from "./credentials.js";
import {
  getEnvironmentRecord,
  getEnvironmentVersionRecord,
  latestEnvironmentVersion,
} from "./environments.js";
import type { ModelRecord } from "./models.js";
import { touchModel, updateModelRecord } from "./models.js";
import type { HoldoutData, ItemRecord, TrainingData, VersionRecord } from "./versions.js";
import { highestVersionNumber, insertVersionRecord, latestVersionRecord } from "./versions.js";

/** A file already stored in blobs, with the path it takes in the version. */
export interface Upload {
  filePath: string;
  fileName: string;
  sha256: string;
  size: number;
}

/** The parsed request of POST/PATCH `versions/` (API.md §2.2); undefined = not sent. */
export interface VersionInput {
  /** POST: the version holds exactly the uploads; PATCH: starts from the latest version. */
  clean: boolean;
  isMajorUpdate?: boolean | undefined;
  uploads: Upload[];
  filesToDelete: string[];
  baseEnvironmentId?: string | undefined;
  baseEnvironmentVersionId?: string | undefined;
  networkEgressPolicy?: VersionRecord["networkEgressPolicy"] | undefined;
  maximumMemory?: number | null | undefined;
  replicas?: number | null | undefined;
  resourceBundleId?: string | null | undefined;
  requiredMetadataValues?: { fieldName: string; value: string }[] | undefined;
  trainingData?: { datasetId: string } | undefined;
  holdoutData?: { datasetId?: string | undefined; partitionColumn?: string | undefined } | undefined;
  keepTrainingHoldoutData?: boolean | undefined;
  runtimeParameterValues?: unknown;
  gitModelVersion?: Record<string, unknown> | null | undefined;
  description?: string | undefined;
}

/** Why a file path (after normalisation) cannot name a file inside a model, or undefined if it can. */
export function filePathProblem(p: string): string | undefined {
  if (p === "") return "it is empty";
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(p)) return "it contains a control character";
  if (p.startsWith("/") || /^[A-Za-z]:/.test(p)) return "it is absolute";
  const segments = p.split("/");
  if (segments.includes("..")) return "it has a '..' segment";
  if (segments.some((s) => s === "" || s === "."))
    return "it has an empty or '.' segment (a trailing '/', '//' or '/./')";
  return undefined;
}

/**
 * `\` -> `/`, no leading `./` (API.md §2.3); then the path must name a file: nothing empty, absolute,
 * `..`, `.` or empty segments, no control characters. Anything else would break the version's zip.
 */
export function normaliseFilePath(raw: string): string {
  let p = raw.replace(/\\/g, "/");
  while (p.startsWith("./")) p = p.slice(2);
  const problem = filePathProblem(p);
  if (problem !== undefined) throw invalid("filePath", `Invalid filePath: ${raw} (${problem})`);
  return p;
}

function requireCompletedDataset(
  ctx: EmulatorContext,
  field: string,
  id: string,
): { id: string; versionId: string; name: string; columns: string[] | null } {
  const ds = getDataset(ctx.db, id);
  if (!ds) throw invalid(field, `Dataset ${id} not found`);
  if (ds.processingState !== "COMPLETED")
    throw invalid(
      field,
      `Dataset ${id} is not ready: its processingState is ${ds.processingState}, not COMPLETED`,
    );
  return { id: ds.datasetId, versionId: ds.versionId, name: ds.name, columns: ds.columns };
}

/** Environment choice of API.md §2.4. */
function resolveEnvironment(
  ctx: EmulatorContext,
  latest: VersionRecord | undefined,
  envId: string | undefined,
  envVersionId: string | undefined,
): { id: string; versionId: string } {
  if (envVersionId !== undefined) {
    const ev = getEnvironmentVersionRecord(ctx.db, envVersionId);
    if (!ev)
      throw invalid("baseEnvironmentVersionId", `Execution environment version ${envVersionId} not found`);
    if (envId !== undefined && ev.environmentId !== envId)
      throw invalid(
        "baseEnvironmentVersionId",
        `Execution environment version ${envVersionId} does not belong to environment ${envId}`,
      );
    return { id: ev.environmentId, versionId: ev.id };
  }
  if (envId !== undefined) {
    if (!getEnvironmentRecord(ctx.db, envId))
      throw invalid("baseEnvironmentId", `Execution environment ${envId} not found`);
    if (latest?.baseEnvironmentId === envId && latest.baseEnvironmentVersionId)
      return { id: envId, versionId: latest.baseEnvironmentVersionId };
    const built = latestEnvironmentVersion(ctx.db, envId, true);
    if (!built)
      throw invalid("baseEnvironmentId", `Execution environment ${envId} has no successfully built version`);
    return { id: envId, versionId: built.id };
  }
  if (latest?.baseEnvironmentId && latest.baseEnvironmentVersionId)
    return { id: latest.baseEnvironmentId, versionId: latest.baseEnvironmentVersionId };
  throw invalid("baseEnvironmentId", "baseEnvironmentId or baseEnvironmentVersionId is required");
}

function mergeItems(
  ctx: EmulatorContext,
  latest: VersionRecord | undefined,
  input: VersionInput,
  now: string,
): ItemRecord[] {
  const seen = new Set<string>();
  for (const u of input.uploads) {
    if (seen.has(u.filePath)) throw invalid("filePath", `Duplicate filePath: ${u.filePath}`);
    seen.add(u.filePath);
  }
  const byPath = new Map<string, ItemRecord>();
  if (!input.clean && latest) {
    for (const it of latest.items) byPath.set(it.filePath, it);
    for (const id of input.filesToDelete) {
      const item = latest.items.find((it) => it.id === id);
      if (!item) throw invalid("filesToDelete", `File item ${id} not found in the latest version`);
      byPath.delete(item.filePath);
    }
  } else if (input.filesToDelete.length > 0 && !input.clean) {
    throw invalid(
      "filesToDelete",
      `File item ${input.filesToDelete[0] ?? ""} not found in the latest version`,
    );
  }
  for (const u of input.uploads) {
    // Overwrite by path: CMA re-uploads changed files under the same path (API.md §2.3).
    byPath.set(u.filePath, {
      id: ctx.newId(),
      filePath: u.filePath,
      fileName: u.fileName,
      sha256: u.sha256,
      size: u.size,
      created: now,
    });
  }
  return [...byPath.values()];
}

function trainingFor(
  ctx: EmulatorContext,
  model: ModelRecord,
  latest: VersionRecord | undefined,
  input: VersionInput,
): { trainingData: TrainingData | null; holdoutData: HoldoutData | null } {
  // A holdout whose keys are all absent or null (CMA's `{partitionColumn: null}`) is no holdout.
  const given = input.holdoutData;
  const hd =
    given && (given.datasetId !== undefined || given.partitionColumn !== undefined) ? given : undefined;
  if (hd && !input.trainingData) throw invalid("holdoutData", "holdoutData requires trainingData");
  if (!input.trainingData) {
    const keep = input.keepTrainingHoldoutData ?? true;
    if (keep && model.isTrainingDataForVersionsPermanentlyEnabled && latest)
      return {
        trainingData: latest.trainingData && { ...latest.trainingData, assignmentInProgress: false },
        holdoutData: latest.holdoutData,
      };
    return { trainingData: null, holdoutData: null };
  }
  const training = requireCompletedDataset(ctx, "trainingData", input.trainingData.datasetId);
  let holdoutData: HoldoutData | null = null;
  if (hd) {
    const hasDataset = hd.datasetId !== undefined;
    const hasColumn = hd.partitionColumn !== undefined;
    const unstructured = model.targetType === "Unstructured";
    if (hasDataset === hasColumn)
      throw invalid(
        "holdoutData",
        "holdoutData takes exactly one of datasetId (Unstructured models) or partitionColumn",
      );
    if (unstructured && hasColumn)
      throw invalid("holdoutData", "Unstructured models take holdoutData.datasetId, not partitionColumn");
    if (!unstructured && hasDataset)
      throw invalid("holdoutData", "Structured models take holdoutData.partitionColumn, not datasetId");
    if (hasDataset) {
      const h = requireCompletedDataset(ctx, "holdoutData", hd.datasetId ?? "");
      holdoutData = {
        datasetId: h.id,
        datasetVersionId: h.versionId,
        datasetName: h.name,
        partitionColumn: null,
      };
    } else {
      const column = hd.partitionColumn ?? "";
      if (training.columns !== null && !training.columns.includes(column))
        throw invalid("holdoutData", `partitionColumn ${column} is not a column of dataset ${training.id}`);
      holdoutData = { datasetId: null, datasetVersionId: null, datasetName: null, partitionColumn: column };
    }
  }
  return {
    trainingData: {
      datasetId: training.id,
      datasetVersionId: training.versionId,
      datasetName: training.name,
      assignmentInProgress: true,
      assignmentError: null,
    },
    holdoutData,
  };
}

/**
 * Creates the next version of `model` from `input` (API.md §2.2-2.8). Synchronous: call it inside
 * the request's transaction so numbering, items and the model's `updated` change together.
 * A new `trainingData` leaves `assignmentInProgress: true`; the caller starts the assignment job.
 */
export function buildVersion(ctx: EmulatorContext, model: ModelRecord, input: VersionInput): VersionRecord {
  const latest = latestVersionRecord(ctx.db, model.id);
  const isMajor = input.isMajorUpdate ?? true;
  if (!isMajor && latest?.isFrozen)
    throw invalid(
      "isMajorUpdate",
      `Cannot create a minor version from frozen version ${latest.id}; set isMajorUpdate to true`,
    );
  const highest = highestVersionNumber(ctx.db, model.id);
  const [major, minor] = !highest
    ? [1, 0]
    : isMajor
      ? [highest.major + 1, 0]
      : [highest.major, highest.minor + 1];
  const now = ctx.now();
  const items = mergeItems(ctx, latest, input, now);
  const env = resolveEnvironment(ctx, latest, input.baseEnvironmentId, input.baseEnvironmentVersionId);
  const inherit = !input.clean && latest !== undefined;

  const environment = getEnvironmentRecord(ctx.db, env.id);
  const allowedKeys = new Set((environment?.requiredMetadataKeys ?? []).map((k) => k.fieldName));
  let requiredMetadataValues = input.requiredMetadataValues ?? (inherit ? latest.requiredMetadataValues : []);
  if (input.requiredMetadataValues === undefined)
    requiredMetadataValues = requiredMetadataValues.filter((r) => allowedKeys.has(r.fieldName));
  for (const r of requiredMetadataValues) {
    if (!allowedKeys.has(r.fieldName))
      throw invalid(
        "requiredMetadataValues",
        `${r.fieldName} is not a required metadata key of environment ${env.id}`,
      );
    if (r.value === "")
      throw invalid("requiredMetadataValues", `The value of ${r.fieldName} must not be empty`);
  }

  const credentialType = (id: string): string | undefined => getCredentialRecord(ctx.db, id)?.credentialType;
  const metadataItem = items.find((it) => it.filePath === "model-metadata.yaml");
  const metadata = metadataItem
    ? parseModelMetadata(
        ctx.blobs.readBuffer(metadataItem.sha256).toString("utf8"),
        (id) => credentialType(id) !== undefined,
      )
    : { valid: true as const, definitions: [] };
  const overrides = mergeRuntimeOverrides(
    metadata.definitions,
    inherit ? latest.runtimeParameterOverrides : {},
    input.runtimeParameterValues,
    credentialType,
  );
  const requirementsItem = items.find((it) => it.filePath === "requirements.txt");
  const requirements = requirementsItem
    ? parseRequirements(ctx.blobs.readBuffer(requirementsItem.sha256).toString("utf8"))
    : { dependencies: [], invalid: [] };

  const training = trainingFor(ctx, model, latest, input);
  if (input.trainingData && !model.isTrainingDataForVersionsPermanentlyEnabled)
    // Emulator choice (API.md §6.2): version-level training data switches the model flag on for good.
    updateModelRecord(ctx.db, model.id, now, { isTrainingDataForVersionsPermanentlyEnabled: true });

  const pick = <T>(given: T | undefined, previous: T, fallback: T): T =>
    given !== undefined ? given : inherit ? previous : fallback;
  const record: VersionRecord = {
    id: ctx.newId(),
    customModelId: model.id,
    versionMajor: major,
    versionMinor: minor,
    isFrozen: false,
    created: now,
    items,
    description: input.description ?? "",
    baseEnvironmentId: env.id,
    baseEnvironmentVersionId: env.versionId,
    networkEgressPolicy: pick(input.networkEgressPolicy, latest?.networkEgressPolicy ?? null, null),
    maximumMemory: pick(input.maximumMemory, latest?.maximumMemory ?? null, null),
    replicas: pick(input.replicas, latest?.replicas ?? null, null),
    resourceBundleId: pick(input.resourceBundleId, latest?.resourceBundleId ?? null, null),
    requiredMetadataValues,
    trainingData: training.trainingData,
    holdoutData: training.holdoutData,
    gitModelVersion: input.gitModelVersion ?? null,
    metadataValid: metadata.valid,
    metadataError: metadata.valid ? null : metadata.error,
    runtimeParameterDefinitions: metadata.definitions,
    runtimeParameterOverrides: overrides,
    dependencies: requirements.dependencies,
    invalidRequirements: requirements.invalid,
  };
  insertVersionRecord(ctx.db, record);
  touchModel(ctx.db, model.id, now);
  return record;
}

/**
 * For `withTrainingData` (API.md §6.2 way 2): a new version from the latest with the same files and
 * settings plus the given data; minor, or major when the latest is frozen. Call inside a transaction.
 */
export function createVersionFromLatest(
  ctx: EmulatorContext,
  model: ModelRecord,
  changes: Pick<VersionInput, "trainingData" | "holdoutData" | "gitModelVersion">,
): VersionRecord {
  const latest = latestVersionRecord(ctx.db, model.id);
  if (!latest) throw new HttpError(422, `Custom model ${model.id} has no versions`);
  return buildVersion(ctx, model, {
    clean: false,
    isMajorUpdate: latest.isFrozen,
    uploads: [],
    filesToDelete: [],
    ...changes,
    gitModelVersion: changes.gitModelVersion !== undefined ? changes.gitModelVersion : latest.gitModelVersion,
    description: latest.description,
  });
}
