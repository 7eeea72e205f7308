import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { EmulatorContext } from "../context.js";
import { conflict, HttpError, invalid } from "../http/errors.js";
import { page, pageParams, searchParams } from "../http/pagination.js";
import { jsonBody, parseBoolean, parseEnum, parseInteger, parseString } from "../http/values.js";
import {
  hasDeploymentsUsing,
  MANAGED_BY,
  PLATFORMS,
  predictionEnvironments,
  type PredictionEnvironmentRecord,
} from "../store/deployments.js";
import { predictionEnvironmentView } from "../views/deployment-view.js";
import { requirePredictionEnvironment } from "./deployment-common.js";

type EnvParams = { Params: { predictionEnvironmentId: string } };

/** The built-in environment every emulator has (API.md §13.4); its id is configurable. */
export const BUILTIN_PREDICTION_ENVIRONMENT = {
  id: "5e8c889607389fe0f466c730",
  name: "Emulator Serverless",
  description: "Built-in prediction environment of the emulator",
  platform: "datarobotServerless",
  managedBy: "datarobot",
  isManagedByManagementAgent: true,
  supportedModelFormats: ["datarobot", "customModel"],
} as const;

const BUILTIN_REFUSED = "Built-in prediction environments cannot be modified";

/** Creates the built-in environment unless it exists (start and `__emulator/reset`). */
export function seedPredictionEnvironment(ctx: EmulatorContext, id: string): void {
  if (predictionEnvironments.get(ctx.db, id) !== undefined) return;
  predictionEnvironments.insert(ctx.db, {
    ...BUILTIN_PREDICTION_ENVIRONMENT,
    id,
    supportedModelFormats: [...BUILTIN_PREDICTION_ENVIRONMENT.supportedModelFormats],
    priority: null,
    maxConcurrentBatchPredictionsJob: null,
    credentialId: null,
    datastoreId: null,
    builtin: true,
    created: ctx.now(),
  });
}

/** Create (every required field) or PATCH (only those sent) fields of §13.4; 422 on a bad value. */
function applyFields(
  current: PredictionEnvironmentRecord,
  body: Record<string, unknown>,
  create: boolean,
): PredictionEnvironmentRecord {
  const has = (k: string): boolean => create || Object.hasOwn(body, k);
  const next = { ...current };
  if (has("name")) {
    const name = parseString(body.name, "name");
    if (!name || name.trim() === "") throw invalid("name", "name is required and must not be empty");
    next.name = name;
  }
  if (has("platform")) {
    const platform = parseEnum(body.platform, "platform", PLATFORMS);
    if (!platform) throw invalid("platform", `platform is required: one of ${PLATFORMS.join(", ")}`);
    next.platform = platform;
  }
  if (has("description")) next.description = parseString(body.description, "description") ?? "";
  if (has("managedBy")) next.managedBy = parseEnum(body.managedBy, "managedBy", MANAGED_BY) ?? "selfManaged";
  if (has("isManagedByManagementAgent"))
    next.isManagedByManagementAgent =
      parseBoolean(body.isManagedByManagementAgent, "isManagedByManagementAgent") ?? false;
  if (has("supportedModelFormats")) {
    const formats = z.array(z.string()).nullish().safeParse(body.supportedModelFormats);
    if (!formats.success)
      throw invalid("supportedModelFormats", "supportedModelFormats must be a list of strings");
    next.supportedModelFormats = formats.data ?? [];
  }
  if (has("priority")) {
    const priority = parseInteger(body.priority, "priority", 0) ?? null;
    if (priority !== null && priority > 2) throw invalid("priority", "priority must be 0, 1 or 2");
    next.priority = priority;
  }
  if (has("maxConcurrentBatchPredictionsJob"))
    next.maxConcurrentBatchPredictionsJob =
      parseInteger(body.maxConcurrentBatchPredictionsJob, "maxConcurrentBatchPredictionsJob", 1) ?? null;
  if (has("credentialId")) next.credentialId = parseString(body.credentialId, "credentialId") || null;
  if (has("datastoreId")) next.datastoreId = parseString(body.datastoreId, "datastoreId") || null;
  return next;
}

/** `predictionEnvironments/` (API.md §13.4). */
export function registerPredictionEnvironmentRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const { db } = ctx;
  const requireMutable = (id: string): PredictionEnvironmentRecord => {
    const e = requirePredictionEnvironment(db, id);
    if (e.builtin) throw new HttpError(403, BUILTIN_REFUSED);
    return e;
  };

  app.get("/predictionEnvironments/", (req) => {
    const q = searchParams(req);
    const params = pageParams(req);
    const where: string[] = [];
    const values: string[] = [];
    const format = q.get("supportedModelFormats");
    if (format) {
      where.push("EXISTS (SELECT 1 FROM json_each(doc, '$.supportedModelFormats') f WHERE f.value = ?)");
      values.push(format);
    }
    const search = (q.get("search") ?? "").toLowerCase();
    if (search !== "") {
      where.push("instr(lower(name), ?) > 0");
      values.push(search);
    }
    // Exact (case-insensitive) name matches first: CMA takes data[0] of its search (§13.4).
    const { records, total } = predictionEnvironments.list(db, {
      ...params,
      where,
      params: values,
      ...(search === "" ? {} : { order: "lower(name) = ? DESC", orderParams: [search] }),
    });
    return page(req, ctx.baseUrl(req), params, records.map(predictionEnvironmentView), total);
  });

  app.post("/predictionEnvironments/", (req, reply) => {
    const body = jsonBody(req.body);
    const created = ctx.tx(() => {
      const blank: PredictionEnvironmentRecord = {
        id: ctx.newId(),
        name: "",
        description: "",
        platform: "other",
        managedBy: "selfManaged",
        isManagedByManagementAgent: false,
        supportedModelFormats: [],
        priority: null,
        maxConcurrentBatchPredictionsJob: null,
        credentialId: null,
        datastoreId: null,
        builtin: false,
        created: ctx.now(),
      };
      const record = applyFields(blank, body, true);
      predictionEnvironments.insert(db, record);
      return record;
    });
    return reply.code(201).send(predictionEnvironmentView(created));
  });

  app.get<EnvParams>("/predictionEnvironments/:predictionEnvironmentId/", (req) =>
    predictionEnvironmentView(requirePredictionEnvironment(db, req.params.predictionEnvironmentId)),
  );

  app.patch<EnvParams>("/predictionEnvironments/:predictionEnvironmentId/", (req) => {
    const body = jsonBody(req.body);
    return ctx.tx(() => {
      const next = applyFields(requireMutable(req.params.predictionEnvironmentId), body, false);
      predictionEnvironments.save(db, next);
      return predictionEnvironmentView(next);
    });
  });

  app.delete<EnvParams>("/predictionEnvironments/:predictionEnvironmentId/", (req, reply) => {
    ctx.tx(() => {
      const e = requireMutable(req.params.predictionEnvironmentId);
      if (hasDeploymentsUsing(db, { predictionEnvironmentId: e.id }))
        throw conflict("Cannot delete prediction environment with existing deployments");
      predictionEnvironments.delete(db, e.id);
    });
    return reply.code(204).send();
  });
}
