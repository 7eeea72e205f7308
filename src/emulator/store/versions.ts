import type { Database } from "better-sqlite3";
import { stmt } from "./statements.js";
import { z } from "zod";
import { RuntimeParameterDefinitionSchema } from "../domain/model-metadata.js";
import { DependencySchema, InvalidRequirementSchema } from "../domain/requirements.js";
import { RuntimeOverrideSchema } from "../domain/runtime-parameters.js";
import { GitModelVersionSchema, NETWORK_EGRESS_POLICIES } from "./models.js";

export const TrainingDataSchema = z.object({
  datasetId: z.string().nullable(),
  datasetVersionId: z.string().nullable(),
  datasetName: z.string().nullable(),
  assignmentInProgress: z.boolean(),
  assignmentError: z.object({ message: z.string().min(1) }).nullable(),
});
export type TrainingData = z.infer<typeof TrainingDataSchema>;

export const HoldoutDataSchema = z.object({
  datasetId: z.string().nullable(),
  datasetVersionId: z.string().nullable(),
  datasetName: z.string().nullable(),
  partitionColumn: z.string().nullable(),
});
export type HoldoutData = z.infer<typeof HoldoutDataSchema>;

export const RequiredMetadataValueSchema = z.object({ fieldName: z.string(), value: z.string() });

/** Everything a version holds besides identity, numbering and items (API.md §2.9 plus check inputs). */
export const VersionDocSchema = z.object({
  description: z.string(),
  baseEnvironmentId: z.string().nullable(),
  baseEnvironmentVersionId: z.string().nullable(),
  networkEgressPolicy: z.enum(NETWORK_EGRESS_POLICIES).nullable(),
  maximumMemory: z.number().nullable(),
  replicas: z.number().nullable(),
  resourceBundleId: z.string().nullable(),
  requiredMetadataValues: z.array(RequiredMetadataValueSchema),
  trainingData: TrainingDataSchema.nullable(),
  holdoutData: HoldoutDataSchema.nullable(),
  gitModelVersion: GitModelVersionSchema.nullable(),
  /** From the top-level model-metadata.yaml; true when there is none. */
  metadataValid: z.boolean(),
  metadataError: z.string().nullable(),
  runtimeParameterDefinitions: z.array(RuntimeParameterDefinitionSchema),
  runtimeParameterOverrides: z.record(z.string(), RuntimeOverrideSchema),
  dependencies: z.array(DependencySchema),
  /** requirements.txt lines left out of `dependencies`; the dependency build fails naming them. */
  invalidRequirements: z.array(InvalidRequirementSchema),
});
export type VersionDoc = z.infer<typeof VersionDocSchema>;

/** A file of a version. `id` and `created` are kept when a later version inherits it. */
export interface ItemRecord {
  id: string;
  filePath: string;
  fileName: string;
  sha256: string;
  size: number;
  created: string;
}

export interface VersionRecord extends VersionDoc {
  id: string;
  customModelId: string;
  versionMajor: number;
  versionMinor: number;
  isFrozen: boolean;
  created: string;
  items: ItemRecord[];
}

interface Row {
  id: string;
  model_id: string;
  major: number;
  minor: number;
  is_frozen: number;
  created: string;
  doc: string;
}

const COLUMNS = "id, model_id, major, minor, is_frozen, created, doc";

function itemsOf(db: Database, versionId: string): ItemRecord[] {
  return stmt<[string], ItemRecord>(
    db,
    "SELECT id, file_path AS filePath, file_name AS fileName, sha256, size, created FROM version_items WHERE version_id = ? ORDER BY ord",
  ).all(versionId);
}

// Documents are validated by their zod schema on every write, so reads only decode them.
function fromRow(db: Database, row: Row): VersionRecord {
  return {
    ...(JSON.parse(row.doc) as VersionDoc),
    id: row.id,
    customModelId: row.model_id,
    versionMajor: row.major,
    versionMinor: row.minor,
    isFrozen: row.is_frozen === 1,
    created: row.created,
    items: itemsOf(db, row.id),
  };
}

/** A version by id, with its items; undefined when missing (or its model was deleted). */
export function getVersionRecord(db: Database, versionId: string): VersionRecord | undefined {
  const row = stmt<[string], Row>(db, `SELECT ${COLUMNS} FROM versions WHERE id = ?`).get(versionId);
  return row ? fromRow(db, row) : undefined;
}

/** The newest version of a model (highest creation order), or undefined. */
export function latestVersionRecord(db: Database, modelId: string): VersionRecord | undefined {
  const row = stmt<[string], Row>(
    db,
    `SELECT ${COLUMNS} FROM versions WHERE model_id = ? ORDER BY seq DESC LIMIT 1`,
  ).get(modelId);
  return row ? fromRow(db, row) : undefined;
}

export function listVersionRecords(
  db: Database,
  modelId: string,
  q: { offset: number; limit: number; mainBranchCommitSha?: string },
): { records: VersionRecord[]; total: number } {
  let clause = "WHERE model_id = ?";
  const params: (string | number)[] = [modelId];
  if (q.mainBranchCommitSha !== undefined) {
    clause += " AND json_extract(doc, '$.gitModelVersion.mainBranchCommitSha') = ?";
    params.push(q.mainBranchCommitSha);
  }
  const total =
    stmt<unknown[], { n: number }>(db, `SELECT count(*) AS n FROM versions ${clause}`).get(...params)?.n ?? 0;
  const rows = stmt<unknown[], Row>(
    db,
    `SELECT ${COLUMNS} FROM versions ${clause} ORDER BY seq DESC LIMIT ? OFFSET ?`,
  ).all(...params, q.limit, q.offset);
  return { records: rows.map((r) => fromRow(db, r)), total };
}

export function insertVersionRecord(db: Database, v: VersionRecord): void {
  const { id, customModelId, versionMajor, versionMinor, isFrozen, created, items, ...doc } = v;
  stmt(
    db,
    "INSERT INTO versions (id, model_id, major, minor, is_frozen, created, doc) VALUES (?, ?, ?, ?, ?, ?, ?)",
  ).run(
    id,
    customModelId,
    versionMajor,
    versionMinor,
    isFrozen ? 1 : 0,
    created,
    JSON.stringify(VersionDocSchema.parse(doc)),
  );
  const insert = stmt(
    db,
    "INSERT INTO version_items (version_id, ord, id, file_path, file_name, sha256, size, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
  );
  items.forEach((it, ord) =>
    insert.run(id, ord, it.id, it.filePath, it.fileName, it.sha256, it.size, it.created),
  );
}

/** Rewrites the mutable fields of a version (PATCH versions/{vid}/, training data results). */
export function saveVersionDoc(db: Database, v: VersionRecord): void {
  const {
    id,
    customModelId: _m,
    versionMajor: _a,
    versionMinor: _b,
    isFrozen,
    created: _c,
    items: _i,
    ...doc
  } = v;
  stmt(db, "UPDATE versions SET is_frozen = ?, doc = ? WHERE id = ?").run(
    isFrozen ? 1 : 0,
    JSON.stringify(VersionDocSchema.parse(doc)),
    id,
  );
}

/** A version becomes frozen when a test is created for it (API.md §2.5). */
export function freezeVersion(db: Database, versionId: string): void {
  stmt(db, "UPDATE versions SET is_frozen = 1 WHERE id = ?").run(versionId);
}

/** Sets a version's trainingData/holdoutData (e.g. when an assignment job ends). */
export function setVersionTrainingData(
  db: Database,
  versionId: string,
  change: { trainingData?: TrainingData | null; holdoutData?: HoldoutData | null },
): void {
  const v = getVersionRecord(db, versionId);
  if (!v) return;
  saveVersionDoc(db, { ...v, ...change });
}

/** The highest (major, minor) of a model, for numbering the next version. */
export function highestVersionNumber(
  db: Database,
  modelId: string,
): { major: number; minor: number } | undefined {
  return stmt<[string], { major: number; minor: number }>(
    db,
    "SELECT major, minor FROM versions WHERE model_id = ? ORDER BY major DESC, minor DESC LIMIT 1",
  ).get(modelId);
}

/** Whether any version (of any model) uses this environment (DELETE environment -> 409). */
export function environmentInUse(db: Database, environmentId: string): boolean {
  return (
    (stmt<[string], { n: number }>(
      db,
      "SELECT count(*) AS n FROM versions WHERE json_extract(doc, '$.baseEnvironmentId') = ?",
    ).get(environmentId)?.n ?? 0) > 0
  );
}
