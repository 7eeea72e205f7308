import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { EmulatorContext } from "../context.js";
import { HttpError, invalid } from "../http/errors.js";
import { jsonBody, parseJsonField, parseString } from "../http/values.js";
import { sendAccepted } from "../jobs/status-routes.js";
import type { JobHandler } from "../jobs/types.js";
import { touchModel, updateModelRecord, type ModelRecord } from "../store/models.js";
import {
  getVersionRecord,
  highestVersionNumber,
  insertVersionRecord,
  latestVersionRecord,
  setVersionTrainingData,
  type HoldoutData,
  type TrainingData,
} from "../store/versions.js";
import { getDataset, type DatasetRecord } from "./datasets.js";
import { requireModel } from "./model-lookup.js";

const MODEL_LEVEL_DISABLED =
  "Training data assignment at the model level has been permanently disabled for this model";

const ModelAssignment = z.object({
  modelId: z.string(),
  datasetId: z.string(),
  datasetVersionId: z.string(),
  datasetName: z.string(),
  partitionColumn: z.string().nullable(),
});

const VersionAssignment = z.object({ versionId: z.string() });

const WithTrainingData = z.object({
  modelId: z.string(),
  trainingData: z.object({ datasetId: z.string(), datasetVersionId: z.string(), datasetName: z.string() }),
  holdoutData: z
    .object({
      datasetId: z.string().nullable(),
      datasetVersionId: z.string().nullable(),
      datasetName: z.string().nullable(),
      partitionColumn: z.string().nullable(),
    })
    .nullable(),
  gitModelVersion: z.record(z.string(), z.unknown()).nullable().optional(),
});

/** A dataset named in a body: it must exist and be ingested (API.md §6), else 422 on `field`. */
export function completedDataset(ctx: EmulatorContext, id: unknown, field: string): DatasetRecord {
  const datasetId = parseString(id, field);
  if (!datasetId) throw invalid(field, `${field} is required`);
  const dataset = getDataset(ctx.db, datasetId);
  if (dataset === undefined) throw invalid(field, `Dataset ${datasetId} not found`);
  if (dataset.processingState !== "COMPLETED") {
    throw invalid(field, `Dataset ${datasetId} is ${dataset.processingState}, not COMPLETED`);
  }
  return dataset;
}

function checkPartitionColumn(dataset: DatasetRecord, column: string | null, field: string): void {
  // Checked only when the columns are known (a non-CSV dataset has none, API.md §6.1).
  if (column !== null && dataset.columns !== null && !dataset.columns.includes(column)) {
    throw invalid(field, `partitionColumn ${column} is not a column of dataset ${dataset.datasetId}`);
  }
}

/** holdoutData by target type: structured models only `{partitionColumn}`, Unstructured only `{datasetId}`. */
function parseHoldout(
  ctx: EmulatorContext,
  model: ModelRecord,
  value: unknown,
  training: DatasetRecord,
): z.infer<typeof WithTrainingData>["holdoutData"] {
  const raw = parseJsonField(value, "holdoutData");
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== "object" || Array.isArray(raw))
    throw invalid("holdoutData", "holdoutData must be an object");
  const h = raw as Record<string, unknown>;
  const hasDataset = h.datasetId !== undefined && h.datasetId !== null;
  const hasPartition = h.partitionColumn !== undefined && h.partitionColumn !== null;
  // CMA sends `{partitionColumn: null}` (or `{datasetId: null}`) when the definition has none: a
  // null key is absent (API.md §0.9, rule 6), and a holdout with no key set is no holdout.
  if (!hasDataset && !hasPartition) return null;
  if (hasDataset && hasPartition) {
    throw invalid(
      "holdoutData",
      "holdoutData takes either datasetId (Unstructured) or partitionColumn, not both",
    );
  }
  if (model.targetType === "Unstructured") {
    if (!hasDataset) throw invalid("holdoutData", "Unstructured models take holdoutData.datasetId only");
    const ds = completedDataset(ctx, h.datasetId, "holdoutData");
    return {
      datasetId: ds.datasetId,
      datasetVersionId: ds.versionId,
      datasetName: ds.name,
      partitionColumn: null,
    };
  }
  if (!hasPartition) throw invalid("holdoutData", "Structured models take holdoutData.partitionColumn only");
  const column = parseString(h.partitionColumn, "holdoutData") ?? null;
  checkPartitionColumn(training, column, "holdoutData");
  return { datasetId: null, datasetVersionId: null, datasetName: null, partitionColumn: column };
}

function modelAssignmentHandler(ctx: EmulatorContext): JobHandler<z.infer<typeof ModelAssignment>, null> {
  return {
    type: "trainingDataAssignment",
    payload: ModelAssignment,
    evaluate: () => Promise.resolve(null),
    apply: (db, _job, p) => {
      const updated = updateModelRecord(db, p.modelId, ctx.now(), {
        trainingDatasetId: p.datasetId,
        trainingDatasetVersionId: p.datasetVersionId,
        trainingDataFileName: p.datasetName,
        trainingDataPartitionColumn: p.partitionColumn,
        trainingDataAssignmentInProgress: false,
      });
      if (updated === undefined) return { state: "ERROR", message: `Custom model ${p.modelId} was deleted` };
      return { state: "COMPLETED", resultPath: `customModels/${p.modelId}/` };
    },
  };
}

function versionAssignmentHandler(): JobHandler<z.infer<typeof VersionAssignment>, null> {
  return {
    type: "versionTrainingData",
    payload: VersionAssignment,
    evaluate: () => Promise.resolve(null),
    apply: (db, _job, { versionId }) => {
      const version = getVersionRecord(db, versionId);
      if (version === undefined)
        return { state: "ERROR", message: `Custom model version ${versionId} was deleted` };
      if (version.trainingData !== null) {
        setVersionTrainingData(db, versionId, {
          trainingData: { ...version.trainingData, assignmentInProgress: false },
        });
      }
      return {
        state: "COMPLETED",
        resultPath: `customModels/${version.customModelId}/versions/${versionId}/`,
      };
    },
  };
}

/** The job of `withTrainingData/`: a new version from the latest, with the data set (API.md §6.2). */
function withTrainingDataHandler(ctx: EmulatorContext): JobHandler<z.infer<typeof WithTrainingData>, null> {
  return {
    type: "withTrainingData",
    payload: WithTrainingData,
    evaluate: () => Promise.resolve(null),
    apply: (db, _job, p) => {
      const latest = latestVersionRecord(db, p.modelId);
      const highest = highestVersionNumber(db, p.modelId);
      if (latest === undefined || highest === undefined) {
        return { state: "ERROR", message: `Custom model ${p.modelId} has no versions` };
      }
      const id = ctx.newId();
      const created = ctx.now();
      const trainingData: TrainingData = {
        ...p.trainingData,
        assignmentInProgress: false,
        assignmentError: null,
      };
      const holdoutData: HoldoutData | null = p.holdoutData;
      // A frozen latest version cannot take a minor version over it (API.md §2.5).
      const major = latest.isFrozen ? highest.major + 1 : highest.major;
      const minor = latest.isFrozen ? 0 : highest.minor + 1;
      insertVersionRecord(db, {
        ...latest,
        id,
        versionMajor: major,
        versionMinor: minor,
        isFrozen: false,
        created,
        trainingData,
        holdoutData,
        gitModelVersion: p.gitModelVersion === undefined ? latest.gitModelVersion : p.gitModelVersion,
      });
      touchModel(db, p.modelId, created);
      return { state: "COMPLETED", resultPath: `customModels/${p.modelId}/versions/${id}/` };
    },
  };
}

/**
 * Inline `trainingData` on version create (API.md §2.8): call inside the create transaction after
 * storing the version with `assignmentInProgress: true`. Returns false when the job duration is 0, in
 * which case store `assignmentInProgress: false` instead (the 201 already shows the final state).
 */
export function startVersionTrainingAssignment(ctx: EmulatorContext, versionId: string): boolean {
  if (ctx.jobs.defaultDurationMs === 0) return false;
  ctx.jobs.enqueue({ type: "versionTrainingData", payload: { versionId } });
  return true;
}

/** Model-level assignment (§6.1) and `versions/withTrainingData/` (§6.2), plus their jobs. */
export function registerTrainingDataRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  ctx.jobs.register(modelAssignmentHandler(ctx));
  ctx.jobs.register(versionAssignmentHandler());
  ctx.jobs.register(withTrainingDataHandler(ctx));

  app.patch<{ Params: { modelId: string } }>("/customModels/:modelId/trainingData/", async (req, reply) => {
    const body = jsonBody(req.body);
    const statusId = ctx.tx(() => {
      const model = requireModel(ctx.db, req.params.modelId);
      if (model.isTrainingDataForVersionsPermanentlyEnabled) throw new HttpError(422, MODEL_LEVEL_DISABLED);
      if (model.targetType === "Unstructured") {
        throw new HttpError(422, "Use externalMlopsStatsConfig for unstructured models");
      }
      const dataset = completedDataset(ctx, body.datasetId, "datasetId");
      const partitionColumn = parseString(body.partitionColumn, "partitionColumn") || null;
      checkPartitionColumn(dataset, partitionColumn, "partitionColumn");
      updateModelRecord(ctx.db, model.id, ctx.now(), { trainingDataAssignmentInProgress: true });
      return ctx.jobs.enqueue({
        type: "trainingDataAssignment",
        payload: {
          modelId: model.id,
          datasetId: dataset.datasetId,
          datasetVersionId: dataset.versionId,
          datasetName: dataset.name,
          partitionColumn,
        },
      });
    });
    return sendAccepted(ctx, req, reply, statusId);
  });

  app.patch<{ Params: { modelId: string } }>(
    "/customModels/:modelId/versions/withTrainingData/",
    async (req, reply) => {
      const body = jsonBody(req.body);
      const statusId = ctx.tx(() => {
        const model = requireModel(ctx.db, req.params.modelId);
        if (latestVersionRecord(ctx.db, model.id) === undefined) {
          throw invalid("customModelId", `Custom model ${model.id} has no versions`);
        }
        const rawTraining = parseJsonField(body.trainingData, "trainingData");
        if (rawTraining === undefined || rawTraining === null || typeof rawTraining !== "object") {
          throw invalid("trainingData", "trainingData with a datasetId is required");
        }
        const training = completedDataset(
          ctx,
          (rawTraining as Record<string, unknown>).datasetId,
          "trainingData",
        );
        const holdoutData = parseHoldout(ctx, model, body.holdoutData, training);
        const git = parseJsonField(body.gitModelVersion, "gitModelVersion");
        if (git !== undefined && git !== null && (typeof git !== "object" || Array.isArray(git))) {
          throw invalid("gitModelVersion", "gitModelVersion must be an object");
        }
        // Giving version-level training data switches the model's flag on for good (API.md §6.2).
        if (!model.isTrainingDataForVersionsPermanentlyEnabled) {
          updateModelRecord(ctx.db, model.id, ctx.now(), {
            isTrainingDataForVersionsPermanentlyEnabled: true,
          });
        }
        const payload: z.infer<typeof WithTrainingData> = {
          modelId: model.id,
          trainingData: {
            datasetId: training.datasetId,
            datasetVersionId: training.versionId,
            datasetName: training.name,
          },
          holdoutData,
        };
        if (git !== undefined) payload.gitModelVersion = git as Record<string, unknown> | null;
        return ctx.jobs.enqueue({ type: "withTrainingData", payload });
      });
      return sendAccepted(ctx, req, reply, statusId);
    },
  );
}
