import type { Database } from "better-sqlite3";
import { z } from "zod";
import { docTable } from "./doc-table.js";
import { TagSchema } from "./models.js";
import { stmt } from "./statements.js";

export const PACKAGE_BUILD_STATUSES = ["inProgress", "complete"] as const;

/** What a package knows of its custom model's target, copied at creation (API.md §13.2 `target`). */
export const PackageTargetSchema = z.object({
  name: z.string().nullable(),
  type: z.string(),
  predictionThreshold: z.number().nullable(),
  /** Binary: [positive, negative] when set; Multiclass/Multilabel: the class labels; else null. */
  classNames: z.array(z.string()).nullable(),
});
export type PackageTarget = z.infer<typeof PackageTargetSchema>;

/** A model package, i.e. a registered model version (API.md §13.2). */
export const PackageRecordSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** The custom model version (the API's `modelId`). */
  versionId: z.string(),
  customModelId: z.string(),
  /** Kept so a package still reads well after its custom model was deleted (§13.10). */
  customModelName: z.string(),
  registeredModelId: z.string().nullable(),
  registeredModelVersion: z.number().int().nullable(),
  buildStatus: z.enum(PACKAGE_BUILD_STATUSES),
  /** The build job, so a deployment of a package still building can wait for it (§13.5). */
  buildStatusId: z.string(),
  target: PackageTargetSchema,
  tags: z.array(TagSchema),
  textGeneration: z.object({ prompt: z.string().nullable() }).nullable(),
  created: z.string(),
});
export type PackageRecord = z.infer<typeof PackageRecordSchema>;

export const RegisteredModelRecordSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  isGlobal: z.boolean(),
  target: z.object({ name: z.string().nullable(), type: z.string() }),
  createdAt: z.string(),
  modifiedAt: z.string(),
});
export type RegisteredModelRecord = z.infer<typeof RegisteredModelRecordSchema>;

export const packages = docTable("model_packages", PackageRecordSchema, {
  version_id: (p) => p.versionId,
  custom_model_id: (p) => p.customModelId,
  registered_model_id: (p) => p.registeredModelId,
});

export const registeredModels = docTable("registered_models", RegisteredModelRecordSchema, {
  name: (r) => r.name,
  is_global: (r) => (r.isGlobal ? 1 : 0),
});

/** The highest `registeredModelVersion` of a registered model, 0 when it has none. */
export function lastVersionNum(db: Database, registeredModelId: string): number {
  return (
    stmt<[string], { n: number | null }>(
      db,
      "SELECT max(json_extract(doc, '$.registeredModelVersion')) AS n FROM model_packages WHERE registered_model_id = ?",
    ).get(registeredModelId)?.n ?? 0
  );
}
