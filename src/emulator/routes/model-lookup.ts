import type { Database } from "better-sqlite3";
import { notFound } from "../http/errors.js";
import { getModelRecord, type ModelRecord } from "../store/models.js";
import { getVersionRecord, type VersionRecord } from "../store/versions.js";

/** The model and version of a `customModels/{id}/versions/{vid}/...` path, or the 404 of API.md §2.12. */
export function requireModelVersion(
  db: Database,
  modelId: string,
  versionId: string,
): { model: ModelRecord; version: VersionRecord } {
  const model = getModelRecord(db, modelId);
  if (model === undefined) throw notFound(`Custom model ${modelId} not found`);
  const version = getVersionRecord(db, versionId);
  if (version === undefined || version.customModelId !== modelId) {
    throw notFound(`Custom model version ${versionId} not found`);
  }
  return { model, version };
}

export type VersionParams = { Params: { modelId: string; versionId: string } };
