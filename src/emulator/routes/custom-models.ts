import type { FastifyInstance } from "fastify";
import type { EmulatorContext } from "../context.js";
import { applyModelFields } from "../domain/model-fields.js";
import { conflict, HttpError, invalid, notFound } from "../http/errors.js";
import { countDeploymentsOfModel, hasDeploymentsUsing } from "../store/deployments.js";
import { page, pageParams, searchParams } from "../http/pagination.js";
import { jsonBody, listParam, parseBoolean, parseString } from "../http/values.js";
import { getDataset } from "./datasets.js";
import type { ModelDoc, ModelRecord } from "../store/models.js";
import {
  deleteModelRecord,
  findModelByUserProvidedId,
  getModelRecord,
  insertModelRecord,
  listModelRecords,
  saveModelRecord,
  TARGET_TYPES,
} from "../store/models.js";
import { insertVersionRecord, latestVersionRecord } from "../store/versions.js";
import { modelView } from "../views/model-view.js";
import { sendItemsZip } from "../views/zip.js";

const ORDER_BY = ["created", "-created", "updated", "-updated"] as const;

export function requireModel(ctx: EmulatorContext, id: string): ModelRecord {
  const model = getModelRecord(ctx.db, id);
  if (!model) throw notFound(`Custom model ${id} not found`);
  return model;
}

function duplicateUserProvidedId(upid: string): HttpError {
  const message = `Cannot create a custom model with a user provided ID (${upid}) that equals to an already existing one.`;
  return new HttpError(422, message, { userProvidedId: message });
}

/** `externalMlopsStatsConfig` (PATCH only): Unstructured models, existing datasets (API.md §1.2). */
function externalStatsConfig(
  ctx: EmulatorContext,
  model: ModelRecord,
  value: unknown,
): ModelRecord["externalMlopsStatsConfig"] {
  if (value === null) return null;
  if (model.targetType !== "Unstructured")
    throw invalid("externalMlopsStatsConfig", "externalMlopsStatsConfig is only for Unstructured models");
  if (typeof value !== "object" || Array.isArray(value))
    throw invalid("externalMlopsStatsConfig", "externalMlopsStatsConfig must be an object");
  const v = value as Record<string, unknown>;
  const dataset = (key: string): { id: string | null; name: string | null } => {
    const id = parseString(v[key], `externalMlopsStatsConfig.${key}`);
    if (!id) return { id: null, name: null };
    const ds = getDataset(ctx.db, id);
    if (!ds) throw invalid("externalMlopsStatsConfig", `Dataset ${id} not found`);
    return { id, name: ds.name };
  };
  const training = dataset("trainingDatasetId");
  const holdout = dataset("holdoutDatasetId");
  return {
    trainingDatasetId: training.id,
    trainingDatasetName: training.name,
    holdoutDatasetId: holdout.id,
    holdoutDatasetName: holdout.name,
  };
}

/** Fields TF never changes on a deployed model; a PATCH that changes one gets 422 (API.md §13.10). */
const DEPLOYED_TARGET_FIELDS = [
  "targetName",
  "positiveClassLabel",
  "negativeClassLabel",
  "classLabels",
] as const;

function refuseTargetChangeWhileDeployed(ctx: EmulatorContext, current: ModelRecord, next: ModelDoc): void {
  const changed = DEPLOYED_TARGET_FIELDS.find(
    (field) => JSON.stringify(current[field]) !== JSON.stringify(next[field]),
  );
  if (changed === undefined || countDeploymentsOfModel(ctx.db, current.id) === 0) return;
  throw invalid(changed, `Cannot change ${changed} of a deployed custom model`);
}

export function registerCustomModelRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.get("/customModels/", (req) => {
    const q = searchParams(req);
    const params = pageParams(req);
    const orderBy = q.get("orderBy") ?? "-created";
    if (!(ORDER_BY as readonly string[]).includes(orderBy))
      throw invalid("orderBy", `orderBy must be one of ${ORDER_BY.join(", ")}, got "${orderBy}"`);
    const type = q.get("customModelType");
    const targetType = q.get("targetType");
    if (targetType !== null && targetType !== "" && !(TARGET_TYPES as readonly string[]).includes(targetType))
      throw invalid("targetType", `targetType must be one of ${TARGET_TYPES.join(", ")}`);
    const deployed = parseBoolean(q.get("isDeployed") ?? undefined, "isDeployed");
    if (type !== null && type !== "" && type !== "inference")
      return page(req, ctx.baseUrl(req), params, [], 0);
    const { records, total } = listModelRecords(ctx.db, {
      ...(targetType ? { targetType } : {}),
      ...(q.get("searchFor") ? { searchFor: q.get("searchFor") ?? "" } : {}),
      tagKeys: listParam(q, "tagKeys"),
      tagValues: listParam(q, "tagValues"),
      ...(deployed === undefined ? {} : { isDeployed: deployed }),
      orderBy: orderBy as (typeof ORDER_BY)[number],
      ...params,
    });
    return page(
      req,
      ctx.baseUrl(req),
      params,
      records.map((m) => modelView(ctx, m)),
      total,
    );
  });

  app.post("/customModels/", (req, reply) => {
    const body = jsonBody(req.body);
    const created = ctx.tx(() => {
      const doc = applyModelFields(undefined, body);
      if (doc.userProvidedId !== null && findModelByUserProvidedId(ctx.db, doc.userProvidedId))
        throw duplicateUserProvidedId(doc.userProvidedId);
      const now = ctx.now();
      const record: ModelRecord = { ...doc, id: ctx.newId(), created: now, updated: now };
      insertModelRecord(ctx.db, record);
      return record;
    });
    return reply.code(201).send(modelView(ctx, created));
  });

  app.post("/customModels/fromCustomModel/", (req, reply) => {
    const body = jsonBody(req.body);
    const sourceId = parseString(body["customModelId"], "customModelId");
    if (!sourceId) throw invalid("customModelId", "customModelId is required");
    const copy = ctx.tx(() => {
      const source = getModelRecord(ctx.db, sourceId);
      if (!source) throw invalid("customModelId", `Custom model ${sourceId} not found`);
      const now = ctx.now();
      const record: ModelRecord = {
        ...source,
        id: ctx.newId(),
        name: `${source.name} (copy)`,
        userProvidedId: null,
        gitModelVersion: null,
        trainingDataAssignmentInProgress: false,
        created: now,
        updated: now,
      };
      insertModelRecord(ctx.db, record);
      const latest = latestVersionRecord(ctx.db, source.id);
      if (latest) {
        insertVersionRecord(ctx.db, {
          ...latest,
          id: ctx.newId(),
          customModelId: record.id,
          versionMajor: 1,
          versionMinor: 0,
          isFrozen: false,
          created: ctx.now(),
          items: latest.items.map((it) => ({ ...it, id: ctx.newId(), created: now })),
          trainingData: latest.trainingData && { ...latest.trainingData, assignmentInProgress: false },
          gitModelVersion: null,
        });
      }
      return record;
    });
    return reply.code(201).send(modelView(ctx, copy));
  });

  app.get<{ Params: { modelId: string } }>("/customModels/:modelId/", (req) =>
    modelView(ctx, requireModel(ctx, req.params.modelId)),
  );

  app.patch<{ Params: { modelId: string } }>("/customModels/:modelId/", (req) => {
    const body = jsonBody(req.body);
    const updated = ctx.tx(() => {
      const current = requireModel(ctx, req.params.modelId);
      const doc = applyModelFields(current, body);
      if (Object.hasOwn(body, "externalMlopsStatsConfig"))
        doc.externalMlopsStatsConfig = externalStatsConfig(ctx, current, body["externalMlopsStatsConfig"]);
      if (doc.userProvidedId !== null && doc.userProvidedId !== current.userProvidedId) {
        const other = findModelByUserProvidedId(ctx.db, doc.userProvidedId);
        if (other && other.id !== current.id) throw duplicateUserProvidedId(doc.userProvidedId);
      }
      refuseTargetChangeWhileDeployed(ctx, current, doc);
      const record: ModelRecord = { ...current, ...doc, updated: ctx.now() };
      saveModelRecord(ctx.db, record);
      return record;
    });
    return modelView(ctx, updated);
  });

  app.delete<{ Params: { modelId: string } }>("/customModels/:modelId/", (req, reply) => {
    ctx.tx(() => {
      const model = requireModel(ctx, req.params.modelId);
      // Champion or challenger (API.md §13.10); TF defers the deletion on this 409.
      if (hasDeploymentsUsing(ctx.db, { customModelId: model.id }))
        throw conflict("Cannot delete custom model with existing deployments");
      deleteModelRecord(ctx.db, model.id);
    });
    return reply.code(204).send();
  });

  app.get<{ Params: { modelId: string } }>("/customModels/:modelId/download/", (req, reply) => {
    const model = requireModel(ctx, req.params.modelId);
    const latest = latestVersionRecord(ctx.db, model.id);
    if (!latest) throw notFound(`Custom model ${model.id} has no versions`);
    return sendItemsZip(reply, ctx.blobs, latest.items, `${model.id}.zip`);
  });
}
