import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { EmulatorContext } from "../context.js";
import { conflict, HttpError, invalid } from "../http/errors.js";
import { page, pageParams, searchParams } from "../http/pagination.js";
import { jsonBody, parseBoolean, parseString } from "../http/values.js";
import { sendAccepted } from "../jobs/status-routes.js";
import type { JobHandler } from "../jobs/types.js";
import { hasDeploymentsUsing } from "../store/deployments.js";
import {
  lastVersionNum,
  packages,
  registeredModels,
  type PackageRecord,
  type PackageTarget,
  type RegisteredModelRecord,
} from "../store/model-packages.js";
import { getModelRecord, TagSchema, type ModelRecord } from "../store/models.js";
import { freezeVersion, getVersionRecord, type VersionRecord } from "../store/versions.js";
import { packageView, registeredModelView } from "../views/deployment-view.js";
import { existingInBody, requirePackage, requireRegisteredModel } from "./deployment-common.js";

type RegisteredParams = { Params: { registeredModelId: string } };
type RegisteredVersionParams = { Params: { registeredModelId: string; packageId: string } };

const BuildPayload = z.object({ packageId: z.string() });

/** A package's `target`, read from its custom model when the package is made (API.md §13.2). */
export function packageTargetOf(model: ModelRecord): PackageTarget {
  const binaryLabels =
    model.positiveClassLabel !== null && model.negativeClassLabel !== null
      ? [model.positiveClassLabel, model.negativeClassLabel]
      : null;
  return {
    name: model.targetName,
    type: model.targetType,
    predictionThreshold: model.predictionThreshold,
    classNames: model.targetType === "Binary" ? binaryLabels : model.classLabels,
  };
}

const nameTaken = (name: string): HttpError => conflict(`Registered model name '${name}' is already in use`);

function requireFreeName(ctx: EmulatorContext, name: string, except?: string): void {
  const other = registeredModels.find(ctx.db, ["name = ?"], [name]);
  if (other !== undefined && other.id !== except) throw nameTaken(name);
}

function nonEmpty(value: unknown, field: string): string | undefined {
  const text = parseString(value, field);
  if (text === undefined) return undefined;
  if (text === null || text.trim() === "") throw invalid(field, `${field} must be a non-empty string`);
  return text;
}

/** The registered model a new package joins, with its next version number; none when neither is sent. */
function registrationOf(
  ctx: EmulatorContext,
  body: Record<string, unknown>,
  target: PackageTarget,
): { registered: RegisteredModelRecord; versionNum: number } | undefined {
  const name = nonEmpty(body.registeredModelName, "registeredModelName");
  const hasId = body.registeredModelId !== undefined && body.registeredModelId !== null;
  if (name !== undefined && hasId)
    throw invalid("registeredModelId", "Send registeredModelName or registeredModelId, not both");
  const now = ctx.now();
  if (name !== undefined) {
    requireFreeName(ctx, name);
    const registered: RegisteredModelRecord = {
      id: ctx.newId(),
      name,
      description: "",
      isGlobal: false,
      target: { name: target.name, type: target.type },
      createdAt: now,
      modifiedAt: now,
    };
    registeredModels.insert(ctx.db, registered);
    return { registered, versionNum: 1 };
  }
  if (!hasId) return undefined;
  const found = existingInBody(
    body,
    "registeredModelId",
    (id) => registeredModels.get(ctx.db, id),
    "Registered model",
  );
  if (found.target.type !== target.type)
    throw invalid(
      "registeredModelId",
      `Registered model ${found.id} holds ${found.target.type} models; this version is ${target.type}`,
    );
  const registered = { ...found, modifiedAt: now };
  registeredModels.save(ctx.db, registered);
  return { registered, versionNum: lastVersionNum(ctx.db, found.id) + 1 };
}

/**
 * Stores a package of `version` (in the request's transaction), freezes the version (§13.2) and
 * starts its build; returns the package and the build's status id.
 */
export function createPackage(
  ctx: EmulatorContext,
  model: ModelRecord,
  version: VersionRecord,
  body: Record<string, unknown> = {},
): { pkg: PackageRecord; statusId: string } {
  const target = packageTargetOf(model);
  const name = nonEmpty(body.name, "name") ?? model.name;
  const tags = z.array(TagSchema).nullish().safeParse(body.tags);
  if (!tags.success) throw invalid("tags", "tags must be a list of {name, value} strings");
  const prompt = parseString(body.prompt, "prompt") ?? null;
  const registration = registrationOf(ctx, body, target);
  const id = ctx.newId();
  const statusId = ctx.jobs.enqueue({ type: "modelPackageBuild", payload: { packageId: id } });
  const pkg: PackageRecord = {
    id,
    name,
    versionId: version.id,
    customModelId: model.id,
    customModelName: model.name,
    registeredModelId: registration?.registered.id ?? null,
    registeredModelVersion: registration?.versionNum ?? null,
    buildStatus: "inProgress",
    buildStatusId: statusId,
    target,
    tags: tags.data ?? [],
    textGeneration: ["TextGeneration", "AgenticWorkflow"].includes(model.targetType) ? { prompt } : null,
    created: ctx.now(),
  };
  packages.insert(ctx.db, pkg);
  freezeVersion(ctx.db, version.id);
  return { pkg, statusId };
}

/** The build of §13.2: never fails; the package is `complete` when its job ends. */
function buildHandler(): JobHandler<z.infer<typeof BuildPayload>, null> {
  return {
    type: "modelPackageBuild",
    payload: BuildPayload,
    evaluate: () => Promise.resolve(null),
    apply: (db, _job, { packageId }) => {
      const p = packages.get(db, packageId);
      if (p === undefined) return { state: "ERROR", message: `Model package ${packageId} was deleted` };
      packages.save(db, { ...p, buildStatus: "complete" });
      return { state: "COMPLETED", resultPath: `modelPackages/${packageId}/` };
    },
  };
}

/** `modelPackages/` and `registeredModels/` (API.md §13.2, §13.3). */
export function registerModelPackageRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  ctx.jobs.register(buildHandler());
  const { db } = ctx;

  app.post("/modelPackages/fromCustomModelVersion/", (req, reply) => {
    const body = jsonBody(req.body);
    const { pkg, statusId } = ctx.tx(() => {
      const version = existingInBody(
        body,
        "customModelVersionId",
        (id) => getVersionRecord(db, id),
        "Custom model version",
      );
      const model = getModelRecord(db, version.customModelId);
      if (model === undefined)
        throw invalid("customModelVersionId", `Custom model ${version.customModelId} not found`);
      return createPackage(ctx, model, version, body);
    });
    return sendAccepted(ctx, req, reply, statusId, packageView(pkg), 201);
  });

  app.get("/modelPackages/", (req) => {
    const params = pageParams(req);
    const modelId = searchParams(req).get("modelId");
    const { records, total } = packages.list(db, {
      ...params,
      ...(modelId ? { where: ["version_id = ?"], params: [modelId] } : {}),
    });
    return page(req, ctx.baseUrl(req), params, records.map(packageView), total);
  });

  app.get<{ Params: { packageId: string } }>("/modelPackages/:packageId/", (req) =>
    packageView(requirePackage(db, req.params.packageId)),
  );

  app.get("/registeredModels/", (req) => {
    const q = searchParams(req);
    const params = pageParams(req);
    const where: string[] = [];
    const values: (string | number)[] = [];
    const search = q.get("search");
    if (search) {
      where.push("instr(lower(name), ?) > 0");
      values.push(search.toLowerCase());
    }
    const isGlobal = parseBoolean(q.get("isGlobal") ?? undefined, "isGlobal");
    if (isGlobal !== undefined) {
      where.push("is_global = ?");
      values.push(isGlobal ? 1 : 0);
    }
    const { records, total } = registeredModels.list(db, { ...params, where, params: values });
    return page(
      req,
      ctx.baseUrl(req),
      params,
      records.map((r) => registeredModelView(ctx, r)),
      total,
    );
  });

  app.get<RegisteredParams>("/registeredModels/:registeredModelId/", (req) =>
    registeredModelView(ctx, requireRegisteredModel(db, req.params.registeredModelId)),
  );

  app.patch<RegisteredParams>("/registeredModels/:registeredModelId/", (req) => {
    const body = jsonBody(req.body);
    return ctx.tx(() => {
      const next = { ...requireRegisteredModel(db, req.params.registeredModelId) };
      const name = nonEmpty(body.name, "name");
      if (name !== undefined) {
        requireFreeName(ctx, name, next.id);
        next.name = name;
      }
      if (Object.hasOwn(body, "description"))
        next.description = parseString(body.description, "description") ?? "";
      if (Object.hasOwn(body, "isGlobal")) next.isGlobal = parseBoolean(body.isGlobal, "isGlobal") ?? false;
      next.modifiedAt = ctx.now();
      registeredModels.save(db, next);
      return registeredModelView(ctx, next);
    });
  });

  app.delete<RegisteredParams>("/registeredModels/:registeredModelId/", (req, reply) => {
    ctx.tx(() => {
      const r = requireRegisteredModel(db, req.params.registeredModelId);
      if (hasDeploymentsUsing(db, { registeredModelId: r.id }))
        throw conflict("Cannot delete registered model with existing deployments");
      registeredModels.delete(db, r.id); // its packages go with it (ON DELETE CASCADE)
    });
    return reply.code(204).send();
  });

  app.get<RegisteredParams>("/registeredModels/:registeredModelId/versions/", (req) => {
    const r = requireRegisteredModel(db, req.params.registeredModelId);
    const params = pageParams(req);
    const { records, total } = packages.list(db, {
      ...params,
      where: ["registered_model_id = ?"],
      params: [r.id],
    });
    return page(req, ctx.baseUrl(req), params, records.map(packageView), total);
  });

  const requireRegisteredVersion = (registeredModelId: string, packageId: string): PackageRecord => {
    requireRegisteredModel(db, registeredModelId);
    const p = requirePackage(db, packageId);
    if (p.registeredModelId !== registeredModelId)
      throw new HttpError(
        404,
        `Model package ${packageId} not found in registered model ${registeredModelId}`,
      );
    return p;
  };

  app.get<RegisteredVersionParams>("/registeredModels/:registeredModelId/versions/:packageId/", (req) =>
    packageView(requireRegisteredVersion(req.params.registeredModelId, req.params.packageId)),
  );

  app.patch<RegisteredVersionParams>("/registeredModels/:registeredModelId/versions/:packageId/", (req) => {
    const body = jsonBody(req.body);
    return ctx.tx(() => {
      const p = requireRegisteredVersion(req.params.registeredModelId, req.params.packageId);
      const next: PackageRecord = { ...p, target: { ...p.target } };
      const name = nonEmpty(body.name, "name");
      if (name !== undefined) next.name = name;
      if (Object.hasOwn(body, "predictionThreshold")) {
        const t = body.predictionThreshold;
        if (typeof t !== "number" || t < 0 || t > 1)
          throw invalid("predictionThreshold", "predictionThreshold must be a number between 0 and 1");
        next.target.predictionThreshold = t;
      }
      packages.save(db, next);
      return packageView(next);
    });
  });
}
