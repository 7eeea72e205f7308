import type { Database } from "better-sqlite3";
import { CHAMPION_OF_MODEL } from "./deployments.js";
import { stmt } from "./statements.js";
import { z } from "zod";

export const TARGET_TYPES = [
  "Binary",
  "Regression",
  "Multiclass",
  "Multilabel",
  "Anomaly",
  "Unstructured",
  "TextGeneration",
  "GeoPoint",
  "VectorDatabase",
  "AgenticWorkflow",
  "MCP",
] as const;
export const NETWORK_EGRESS_POLICIES = ["NONE", "PUBLIC", "DR_API_ACCESS"] as const;

export const GitModelVersionSchema = z.record(z.string(), z.unknown());
export const TagSchema = z.object({ name: z.string(), value: z.string() });

export const ExternalMlopsStatsConfigSchema = z.object({
  trainingDatasetId: z.string().nullable(),
  trainingDatasetName: z.string().nullable(),
  holdoutDatasetId: z.string().nullable(),
  holdoutDatasetName: z.string().nullable(),
});

/** Every stored model field except identity and timestamps (API.md §1.3). */
export const ModelDocSchema = z.object({
  name: z.string(),
  description: z.string(),
  targetType: z.enum(TARGET_TYPES),
  targetName: z.string().nullable(),
  positiveClassLabel: z.string().nullable(),
  negativeClassLabel: z.string().nullable(),
  predictionThreshold: z.number().nullable(),
  classLabels: z.array(z.string()).nullable(),
  language: z.string(),
  networkEgressPolicy: z.enum(NETWORK_EGRESS_POLICIES).nullable(),
  maximumMemory: z.number().nullable(),
  desiredMemory: z.number().nullable(),
  replicas: z.number().nullable(),
  isTrainingDataForVersionsPermanentlyEnabled: z.boolean(),
  isProxyModel: z.boolean(),
  isUnstructuredModelKind: z.boolean(),
  tags: z.array(TagSchema),
  userProvidedId: z.string().nullable(),
  gitModelVersion: GitModelVersionSchema.nullable(),
  externalMlopsStatsConfig: ExternalMlopsStatsConfigSchema.nullable(),
  trainingDatasetId: z.string().nullable(),
  trainingDatasetVersionId: z.string().nullable(),
  trainingDataFileName: z.string().nullable(),
  trainingDataPartitionColumn: z.string().nullable(),
  trainingDataAssignmentInProgress: z.boolean(),
});
export type ModelDoc = z.infer<typeof ModelDocSchema>;

export interface ModelRecord extends ModelDoc {
  id: string;
  created: string;
  updated: string;
}

interface Row {
  id: string;
  created: string;
  updated: string;
  doc: string;
}

// Documents are validated by their zod schema on every write, so reads only decode them.
function fromRow(row: Row): ModelRecord {
  return {
    ...(JSON.parse(row.doc) as ModelDoc),
    id: row.id,
    created: row.created,
    updated: row.updated,
  };
}

export function getModelRecord(db: Database, id: string): ModelRecord | undefined {
  const row = stmt<[string], Row>(db, "SELECT id, created, updated, doc FROM models WHERE id = ?").get(id);
  return row ? fromRow(row) : undefined;
}

export function findModelByUserProvidedId(db: Database, upid: string): ModelRecord | undefined {
  const row = stmt<[string], Row>(
    db,
    "SELECT id, created, updated, doc FROM models WHERE user_provided_id = ?",
  ).get(upid);
  return row ? fromRow(row) : undefined;
}

export function insertModelRecord(db: Database, record: ModelRecord): void {
  const { id, created, updated, ...doc } = record;
  stmt(
    db,
    "INSERT INTO models (id, user_provided_id, name, created, updated, doc) VALUES (?, ?, ?, ?, ?, ?)",
  ).run(id, doc.userProvidedId, doc.name, created, updated, JSON.stringify(ModelDocSchema.parse(doc)));
}

/** Replaces a model's stored fields; `updated` moves (API.md §1.3). */
export function saveModelRecord(db: Database, record: ModelRecord): void {
  const { id, created: _created, updated, ...doc } = record;
  stmt(db, "UPDATE models SET user_provided_id = ?, name = ?, updated = ?, doc = ? WHERE id = ?").run(
    doc.userProvidedId,
    doc.name,
    updated,
    JSON.stringify(ModelDocSchema.parse(doc)),
    id,
  );
}

/** Applies `change` to a stored model and sets `updated` to `now`; returns the new record. */
export function updateModelRecord(
  db: Database,
  id: string,
  now: string,
  change: Partial<ModelDoc>,
): ModelRecord | undefined {
  const current = getModelRecord(db, id);
  if (!current) return undefined;
  const next = { ...current, ...change, updated: now };
  saveModelRecord(db, next);
  return next;
}

/** Moves `updated` (a new version or training data counts as a change of the model). */
export function touchModel(db: Database, id: string, now: string): void {
  stmt(db, "UPDATE models SET updated = ? WHERE id = ?").run(now, id);
}

export function deleteModelRecord(db: Database, id: string): boolean {
  return stmt(db, "DELETE FROM models WHERE id = ?").run(id).changes > 0;
}

export interface ModelListQuery {
  targetType?: string;
  searchFor?: string;
  tagKeys?: string[];
  tagValues?: string[];
  /** `true`: models with `deploymentsCount > 0`; `false`: with none (API.md §13.10). */
  isDeployed?: boolean;
  orderBy: "created" | "-created" | "updated" | "-updated";
  offset: number;
  limit: number;
}

/** One page of models plus the total, filtered and ordered in SQL (API.md §1.4). */
export function listModelRecords(db: Database, q: ModelListQuery): { records: ModelRecord[]; total: number } {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (q.targetType !== undefined) {
    where.push("json_extract(doc, '$.targetType') = ?");
    params.push(q.targetType);
  }
  if (q.searchFor !== undefined && q.searchFor !== "") {
    where.push("(instr(lower(name), ?) > 0 OR instr(lower(json_extract(doc, '$.description')), ?) > 0)");
    params.push(q.searchFor.toLowerCase(), q.searchFor.toLowerCase());
  }
  for (const [key, values] of [
    ["name", q.tagKeys],
    ["value", q.tagValues],
  ] as const) {
    if (!values || values.length === 0) continue;
    where.push(
      `EXISTS (SELECT 1 FROM json_each(doc, '$.tags') t WHERE json_extract(t.value, '$.${key}') IN (${values.map(() => "?").join(", ")}))`,
    );
    params.push(...values);
  }
  if (q.isDeployed !== undefined) {
    const deployed = `EXISTS (SELECT 1 FROM deployments d WHERE ${CHAMPION_OF_MODEL.replace("?", "models.id")})`;
    where.push(q.isDeployed ? deployed : `NOT ${deployed}`);
  }
  const clause = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
  const column = q.orderBy.replace("-", "");
  const direction = q.orderBy.startsWith("-") ? "DESC" : "ASC";
  // Ties keep creation order, newest first (API.md §0.5).
  const order = `ORDER BY ${column} ${direction}, seq DESC`;
  const total =
    stmt<unknown[], { n: number }>(db, `SELECT count(*) AS n FROM models ${clause}`).get(...params)?.n ?? 0;
  const rows = stmt<unknown[], Row>(
    db,
    `SELECT id, created, updated, doc FROM models ${clause} ${order} LIMIT ? OFFSET ?`,
  ).all(...params, q.limit, q.offset);
  return { records: rows.map(fromRow), total };
}
