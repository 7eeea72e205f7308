import type { Database } from "better-sqlite3";
import { stmt } from "./statements.js";
import { z } from "zod";

export const PROGRAMMING_LANGUAGES = ["python", "r", "java", "julia", "legacy", "other"] as const;
export const USE_CASES = ["customModel", "notebook", "customApplication", "customJob"] as const;
export const BUILD_STATUSES = ["submitted", "processing", "success", "failed"] as const;
export type BuildStatus = (typeof BUILD_STATUSES)[number];

export const RequiredMetadataKeySchema = z.object({ fieldName: z.string(), displayName: z.string() });

export const EnvironmentDocSchema = z.object({
  description: z.string(),
  programmingLanguage: z.string().min(1),
  isPublic: z.boolean(),
  useCases: z.array(z.string()),
  requiredMetadataKeys: z.array(RequiredMetadataKeySchema),
});
export type EnvironmentDoc = z.infer<typeof EnvironmentDocSchema>;

export interface EnvironmentRecord extends EnvironmentDoc {
  id: string;
  name: string;
  /** Seeded at start: PATCH/DELETE get 403 (API.md §4.1). */
  builtin: boolean;
  created: string;
}

const StoredFileSchema = z.object({ sha256: z.string(), size: z.number(), fileName: z.string() });
export type StoredFile = z.infer<typeof StoredFileSchema>;

export const EnvironmentVersionDocSchema = z.object({
  label: z.string(),
  description: z.string(),
  imageId: z.string().min(1),
  dockerContext: StoredFileSchema.nullable(),
  dockerImage: StoredFileSchema.nullable(),
  sourceDockerImageUri: z.string().nullable(),
  /** Written by the build job: `buildLog/` `{log, error}`; error "" means none. */
  buildLog: z.string(),
  buildError: z.string(),
});
export type EnvironmentVersionDoc = z.infer<typeof EnvironmentVersionDocSchema>;

export interface EnvironmentVersionRecord extends EnvironmentVersionDoc {
  id: string;
  environmentId: string;
  buildStatus: BuildStatus;
  created: string;
}

interface EnvRow {
  id: string;
  name: string;
  builtin: number;
  created: string;
  doc: string;
}
interface VersionRow {
  id: string;
  environment_id: string;
  build_status: string;
  created: string;
  doc: string;
}

// Documents are validated by their zod schema on every write, so reads only decode them.
function envFromRow(r: EnvRow): EnvironmentRecord {
  return {
    ...(JSON.parse(r.doc) as EnvironmentDoc),
    id: r.id,
    name: r.name,
    builtin: r.builtin === 1,
    created: r.created,
  };
}

function versionFromRow(r: VersionRow): EnvironmentVersionRecord {
  return {
    ...(JSON.parse(r.doc) as EnvironmentVersionDoc),
    id: r.id,
    environmentId: r.environment_id,
    buildStatus: z.enum(BUILD_STATUSES).parse(r.build_status),
    created: r.created,
  };
}

const ENV_COLUMNS = "id, name, builtin, created, doc";
const VERSION_COLUMNS = "id, environment_id, build_status, created, doc";

export function getEnvironmentRecord(db: Database, id: string): EnvironmentRecord | undefined {
  const r = stmt<[string], EnvRow>(db, `SELECT ${ENV_COLUMNS} FROM environments WHERE id = ?`).get(id);
  return r ? envFromRow(r) : undefined;
}

export function findEnvironmentByName(db: Database, name: string): EnvironmentRecord | undefined {
  const r = stmt<[string], EnvRow>(
    db,
    `SELECT ${ENV_COLUMNS} FROM environments WHERE name = ? ORDER BY seq LIMIT 1`,
  ).get(name);
  return r ? envFromRow(r) : undefined;
}

export function insertEnvironmentRecord(db: Database, e: EnvironmentRecord): void {
  const { id, name, builtin, created, ...doc } = e;
  stmt(db, "INSERT INTO environments (id, name, builtin, created, doc) VALUES (?, ?, ?, ?, ?)").run(
    id,
    name,
    builtin ? 1 : 0,
    created,
    JSON.stringify(EnvironmentDocSchema.parse(doc)),
  );
}

export function saveEnvironmentRecord(db: Database, e: EnvironmentRecord): void {
  const { id, name, builtin: _b, created: _c, ...doc } = e;
  stmt(db, "UPDATE environments SET name = ?, doc = ? WHERE id = ?").run(
    name,
    JSON.stringify(EnvironmentDocSchema.parse(doc)),
    id,
  );
}

export function deleteEnvironmentRecord(db: Database, id: string): void {
  stmt(db, "DELETE FROM environments WHERE id = ?").run(id);
}

export interface EnvironmentListQuery {
  searchFor?: string;
  isOwn?: boolean;
  useCases?: string;
  offset: number;
  limit: number;
}

export function listEnvironmentRecords(
  db: Database,
  q: EnvironmentListQuery,
): { records: EnvironmentRecord[]; total: number } {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (q.searchFor) {
    where.push("(instr(lower(name), ?) > 0 OR instr(lower(json_extract(doc, '$.description')), ?) > 0)");
    params.push(q.searchFor.toLowerCase(), q.searchFor.toLowerCase());
  }
  if (q.isOwn === true) where.push("builtin = 0");
  if (q.useCases) {
    where.push("EXISTS (SELECT 1 FROM json_each(doc, '$.useCases') u WHERE u.value = ?)");
    params.push(q.useCases);
  }
  const clause = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
  const total =
    stmt<unknown[], { n: number }>(db, `SELECT count(*) AS n FROM environments ${clause}`).get(...params)
      ?.n ?? 0;
  const rows = stmt<unknown[], EnvRow>(
    db,
    `SELECT ${ENV_COLUMNS} FROM environments ${clause} ORDER BY seq DESC LIMIT ? OFFSET ?`,
  ).all(...params, q.limit, q.offset);
  return { records: rows.map(envFromRow), total };
}

export function getEnvironmentVersionRecord(db: Database, id: string): EnvironmentVersionRecord | undefined {
  const r = stmt<[string], VersionRow>(
    db,
    `SELECT ${VERSION_COLUMNS} FROM environment_versions WHERE id = ?`,
  ).get(id);
  return r ? versionFromRow(r) : undefined;
}

export function insertEnvironmentVersionRecord(db: Database, v: EnvironmentVersionRecord): void {
  const { id, environmentId, buildStatus, created, ...doc } = v;
  stmt(
    db,
    "INSERT INTO environment_versions (id, environment_id, build_status, created, doc) VALUES (?, ?, ?, ?, ?)",
  ).run(id, environmentId, buildStatus, created, JSON.stringify(EnvironmentVersionDocSchema.parse(doc)));
}

/** For the build job: moves the status and records the log (`buildLog/`). */
export function updateEnvironmentVersionBuild(
  db: Database,
  id: string,
  change: { buildStatus: BuildStatus; buildLog?: string; buildError?: string },
): void {
  const v = getEnvironmentVersionRecord(db, id);
  if (!v) return;
  const { id: _i, environmentId: _e, buildStatus: _s, created: _c, ...doc } = v;
  const next = {
    ...doc,
    buildLog: change.buildLog ?? doc.buildLog,
    buildError: change.buildError ?? doc.buildError,
  };
  stmt(db, "UPDATE environment_versions SET build_status = ?, doc = ? WHERE id = ?").run(
    change.buildStatus,
    JSON.stringify(EnvironmentVersionDocSchema.parse(next)),
    id,
  );
}

export function listEnvironmentVersionRecords(
  db: Database,
  environmentId: string,
  q: { buildStatus?: string; offset: number; limit: number },
): { records: EnvironmentVersionRecord[]; total: number } {
  let clause = "WHERE environment_id = ?";
  const params: (string | number)[] = [environmentId];
  if (q.buildStatus) {
    clause += " AND build_status = ?";
    params.push(q.buildStatus);
  }
  const total =
    stmt<unknown[], { n: number }>(db, `SELECT count(*) AS n FROM environment_versions ${clause}`).get(
      ...params,
    )?.n ?? 0;
  const rows = stmt<unknown[], VersionRow>(
    db,
    `SELECT ${VERSION_COLUMNS} FROM environment_versions ${clause} ORDER BY seq DESC LIMIT ? OFFSET ?`,
  ).all(...params, q.limit, q.offset);
  return { records: rows.map(versionFromRow), total };
}

/** Newest version of an environment, optionally only successfully built ones. */
export function latestEnvironmentVersion(
  db: Database,
  environmentId: string,
  onlySuccessful = false,
): EnvironmentVersionRecord | undefined {
  const r = stmt<[string], VersionRow>(
    db,
    `SELECT ${VERSION_COLUMNS} FROM environment_versions WHERE environment_id = ? ${onlySuccessful ? "AND build_status = 'success'" : ""} ORDER BY seq DESC LIMIT 1`,
  ).get(environmentId);
  return r ? versionFromRow(r) : undefined;
}

export function countEnvironmentVersions(db: Database, environmentId: string): number {
  return (
    stmt<[string], { n: number }>(
      db,
      "SELECT count(*) AS n FROM environment_versions WHERE environment_id = ?",
    ).get(environmentId)?.n ?? 0
  );
}
