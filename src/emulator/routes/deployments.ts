import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { EmulatorContext } from "../context.js";
import { HttpError, invalid } from "../http/errors.js";
import { page, pageParams, searchParams } from "../http/pagination.js";
import { jsonBody, listParam, parseEnum, parseString } from "../http/values.js";
import { sendAccepted } from "../jobs/status-routes.js";
import type { JobHandler, JobType } from "../jobs/types.js";
import { challengers, deployments, IMPORTANCES, type DeploymentRecord } from "../store/deployments.js";
import { packages } from "../store/model-packages.js";
import { deploymentView } from "../views/deployment-view.js";
import {
  deploymentProblem,
  durationAfterBuild,
  environmentInBody,
  existingInBody,
  requireDeployment,
  type DeploymentParams,
} from "./deployment-common.js";

const LaunchPayload = z.object({ deploymentId: z.string() });

const ORDER_KEYS = [
  "label",
  "serviceHealth",
  "modelHealth",
  "accuracyHealth",
  "recentPredictions",
  "lastPredictionTimestamp",
] as const;

/**
 * List filters that depend on what the emulator has not got (other users, health, predictions,
 * external environments): a filter matches every deployment or none (API.md §13.6).
 */
const ALL_OR_NOTHING: Record<string, { values: readonly string[]; matching: string }> = {
  role: { values: ["OWNER", "USER"], matching: "OWNER" },
  serviceHealth: { values: ["passing", "warning", "failing", "unknown"], matching: "unknown" },
  modelHealth: { values: ["passing", "warning", "failing", "unknown"], matching: "unknown" },
  accuracyHealth: { values: ["passing", "warning", "failing", "unknown"], matching: "unknown" },
  executionEnvironmentType: { values: ["datarobot", "external"], matching: "datarobot" },
};

function duplicateUserProvidedId(upid: string): HttpError {
  const message = `Cannot create a deployment with a user provided ID (${upid}) that equals to an already existing one.`;
  return new HttpError(422, message, { userProvidedId: message });
}

function parseLabel(value: unknown): string {
  const label = parseString(value, "label");
  if (!label || label.trim() === "") throw invalid("label", "label is required and must not be empty");
  return label;
}

/**
 * The end of a creation or replacement (§13.5, §13.7): the champion's package is built by now; the
 * deployment becomes `active`, or `errored` with the reason when its version cannot serve.
 */
function launchHandler(ctx: EmulatorContext, type: JobType): JobHandler<z.infer<typeof LaunchPayload>, null> {
  return {
    type,
    payload: LaunchPayload,
    evaluate: () => Promise.resolve(null),
    apply: (db, _job, { deploymentId }) => {
      const d = deployments.get(db, deploymentId);
      if (d === undefined) return { state: "ERROR", message: `Deployment ${deploymentId} was deleted` };
      const p = packages.get(db, d.modelPackageId);
      if (p !== undefined && p.buildStatus !== "complete")
        packages.save(db, { ...p, buildStatus: "complete" });
      const problem =
        p === undefined ? `Model package ${d.modelPackageId} was deleted` : deploymentProblem(ctx, p);
      if (problem !== null) {
        deployments.save(db, { ...d, status: "errored", errorReason: problem });
        return { state: "ERROR", message: `Deployment ${d.id} failed: ${problem}` };
      }
      const status = d.status === "launching" || d.status === "errored" ? "active" : d.status;
      deployments.save(db, { ...d, status, errorReason: null });
      return { state: "COMPLETED", resultPath: `deployments/${d.id}/` };
    },
  };
}

/** Starts the job that ends a creation or replacement, after the champion's package build. */
export function startLaunch(
  ctx: EmulatorContext,
  type: "deploymentCreation" | "deploymentReplacement",
  d: DeploymentRecord,
): string {
  const p = packages.get(ctx.db, d.modelPackageId);
  const durationMs = p === undefined ? undefined : durationAfterBuild(ctx, p);
  return ctx.jobs.enqueue({
    type,
    payload: { deploymentId: d.id },
    ...(durationMs === undefined ? {} : { durationMs }),
  });
}

/** `deployments/`: create from a package, list, get, update, delete (API.md §13.5, §13.6). */
export function registerDeploymentRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  ctx.jobs.register(launchHandler(ctx, "deploymentCreation"));
  ctx.jobs.register(launchHandler(ctx, "deploymentReplacement"));
  const { db } = ctx;

  app.post("/deployments/fromModelPackage/", (req, reply) => {
    const body = jsonBody(req.body);
    const { id, statusId } = ctx.tx(() => {
      const p = existingInBody(body, "modelPackageId", (pid) => packages.get(db, pid), "Model package");
      const label = parseLabel(body.label);
      const environment = environmentInBody(db, body);
      const userProvidedId = parseString(body.userProvidedId, "userProvidedId") || null;
      if (userProvidedId !== null && deployments.find(db, ["user_provided_id = ?"], [userProvidedId]))
        throw duplicateUserProvidedId(userProvidedId);
      const now = ctx.now();
      const d: DeploymentRecord = {
        id: ctx.newId(),
        label,
        description: parseString(body.description, "description") ?? null,
        importance: parseEnum(body.importance, "importance", IMPORTANCES) ?? "LOW",
        status: "launching",
        userProvidedId,
        modelPackageId: p.id,
        predictionEnvironmentId: environment.id,
        defaultPredictionServerId:
          parseString(body.defaultPredictionServerId, "defaultPredictionServerId") || null,
        settings: {},
        errorReason: null,
        createdAt: now,
      };
      deployments.insert(db, d);
      challengers.insert(db, {
        id: ctx.newId(),
        deploymentId: d.id,
        name: p.name,
        modelPackageId: p.id,
        predictionEnvironmentId: environment.id,
        isChampion: true,
        created: now,
      });
      return { id: d.id, statusId: startLaunch(ctx, "deploymentCreation", d) };
    });
    return sendAccepted(ctx, req, reply, statusId, { id });
  });

  app.get("/deployments/", (req) => {
    const q = searchParams(req);
    const params = pageParams(req);
    const orderBy = q.get("orderBy") || "label";
    const key = orderBy.replace(/^-/, "");
    if (!(ORDER_KEYS as readonly string[]).includes(key))
      throw invalid(
        "orderBy",
        `orderBy must be one of ${ORDER_KEYS.join(", ")} (optionally with -), got "${orderBy}"`,
      );
    let matchesAll = true;
    for (const [name, filter] of Object.entries(ALL_OR_NOTHING)) {
      const given = listParam(q, name);
      const unknown = given.find(
        (v) => !filter.values.some((known) => known.toLowerCase() === v.toLowerCase()),
      );
      if (unknown !== undefined)
        throw invalid(name, `${name} values must be among ${filter.values.join(", ")}, got "${unknown}"`);
      if (given.length > 0 && !given.some((v) => v.toLowerCase() === filter.matching.toLowerCase()))
        matchesAll = false;
    }
    const importance = listParam(q, "importance");
    for (const v of importance) parseEnum(v, "importance", IMPORTANCES);
    if (!matchesAll) return page(req, ctx.baseUrl(req), params, [], 0);
    const where: string[] = [];
    const values: string[] = [];
    const search = (q.get("search") ?? "").toLowerCase();
    if (search !== "") {
      where.push(
        "(instr(lower(label), ?) > 0 OR instr(lower(coalesce(json_extract(doc, '$.description'), '')), ?) > 0)",
      );
      values.push(search, search);
    }
    if (importance.length > 0) {
      where.push(`json_extract(doc, '$.importance') IN (${importance.map(() => "?").join(", ")})`);
      values.push(...importance);
    }
    // Every deployment has the same health and no predictions: those orders keep the label order.
    const order = orderBy === "-label" ? "label COLLATE NOCASE DESC" : "label COLLATE NOCASE ASC";
    const { records, total } = deployments.list(db, { ...params, where, params: values, order });
    return page(
      req,
      ctx.baseUrl(req),
      params,
      records.map((d) => deploymentView(ctx, d)),
      total,
    );
  });

  app.get<DeploymentParams>("/deployments/:deploymentId/", (req) =>
    deploymentView(ctx, requireDeployment(db, req.params.deploymentId)),
  );

  app.patch<DeploymentParams>("/deployments/:deploymentId/", (req, reply) => {
    const body = jsonBody(req.body);
    ctx.tx(() => {
      const next = { ...requireDeployment(db, req.params.deploymentId) };
      if (Object.hasOwn(body, "label")) next.label = parseLabel(body.label);
      if (Object.hasOwn(body, "description"))
        next.description = parseString(body.description, "description") ?? null;
      if (Object.hasOwn(body, "importance"))
        next.importance = parseEnum(body.importance, "importance", IMPORTANCES) ?? "LOW";
      deployments.save(db, next);
    });
    return reply.code(204).send();
  });

  app.delete<DeploymentParams>("/deployments/:deploymentId/", (req, reply) => {
    ctx.tx(() => {
      // Challengers and logs go with it (ON DELETE CASCADE); packages and registered models stay.
      if (!deployments.delete(db, req.params.deploymentId)) requireDeployment(db, req.params.deploymentId);
    });
    return reply.code(204).send();
  });
}
