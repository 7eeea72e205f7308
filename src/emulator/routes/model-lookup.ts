import type { Database } from "better-sqlite3";
import { notFound } from "../http/errors.js";
import { getModelRecord, type ModelRecord } from "../store/models.js";
import { getVersionRecord, type VersionRecord } from "../store/versions.js";

/** The model of a `customModels/{id}/...` path, or 404 `Custom model <id> not found` (API.md §1.5). */
export function requireModel(db: Database, modelId: string): ModelRecord {
  const model = getModelRecord(db, modelId);
  if (model === undefined) throw notFound(`Custom model ${modelId} not found`);
  return model;
}

/** The model and version of a `customModels/{id}/versions/{vid}/...` path, or the 404 of API.md §2.12. */
export function requireModelVersion(
  db: Database,
  modelId: string,
  versionId: string,
): { model: ModelRecord; version: VersionRecord } {
  const model = requireModel(db, modelId);
  const version = getVersionRecord(db, versionId);
  if (version === undefined || version.customModelId !== modelId) {
    throw notFound(`Custom model version ${versionId} not found`);
  }
  return { model, version };
}

export type VersionParams = { Params: { modelId: string; versionId: string } };
