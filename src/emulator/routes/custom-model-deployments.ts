import type { FastifyInstance } from "fastify";
import type { EmulatorContext } from "../context.js";
import { notFound } from "../http/errors.js";
import { page, pageParams, searchParams } from "../http/pagination.js";
import { listParam } from "../http/values.js";
import { sendAccepted } from "../jobs/status-routes.js";
import { deploymentLogs, deployments, type DeploymentRecord } from "../store/deployments.js";
import { getModelRecord } from "../store/models.js";
import { getVersionRecord } from "../store/versions.js";
import { packageOf } from "../views/deployment-view.js";
import { versionLabel } from "../views/version-view.js";
import {
  followUpHandler,
  requireDeployment,
  startFollowUp,
  type DeploymentParams,
} from "./deployment-common.js";
import { sendText } from "./text.js";

type LogParams = { Params: { deploymentId: string; logId: string } };

/** Empty for a healthy deployment, `ERROR: <reason>` for an errored one (API.md §13.9). */
function currentLog(d: DeploymentRecord): string {
  return d.errorReason === null ? "" : `ERROR: ${d.errorReason}\n`;
}

function customModelDeploymentView(ctx: EmulatorContext, d: DeploymentRecord): Record<string, unknown> {
  const p = packageOf(ctx, d.modelPackageId);
  const version = getVersionRecord(ctx.db, p.versionId);
  return {
    id: d.id,
    label: d.label,
    status: d.status,
    customModel: {
      id: p.customModelId,
      name: getModelRecord(ctx.db, p.customModelId)?.name ?? p.customModelName,
    },
    customModelVersion: { id: p.versionId, label: version ? versionLabel(version) : null },
  };
}

/** `customModelDeployments/` and its logs (API.md §13.9). */
export function registerCustomModelDeploymentRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  ctx.jobs.register(followUpHandler("deploymentLogs"));
  const { db } = ctx;

  app.get("/customModelDeployments/", (req) => {
    const params = pageParams(req);
    // CMA's JSON body is ignored (§0.9); a `customModelIds` query parameter filters.
    const ids = listParam(searchParams(req), "customModelIds");
    const where =
      ids.length === 0
        ? []
        : [
            `EXISTS (SELECT 1 FROM model_packages p WHERE p.id = deployments.model_package_id AND p.custom_model_id IN (${ids.map(() => "?").join(", ")}))`,
          ];
    const { records, total } = deployments.list(db, { ...params, where, params: ids });
    return page(
      req,
      ctx.baseUrl(req),
      params,
      records.map((d) => customModelDeploymentView(ctx, d)),
      total,
    );
  });

  app.get<DeploymentParams>("/customModelDeployments/:deploymentId/logs/", (req, reply) =>
    sendText(reply, currentLog(requireDeployment(db, req.params.deploymentId))),
  );

  app.post<DeploymentParams>("/customModelDeployments/:deploymentId/logs/", (req, reply) => {
    const statusId = ctx.tx(() => {
      const d = requireDeployment(db, req.params.deploymentId);
      const log = { id: ctx.newId(), deploymentId: d.id, text: currentLog(d), created: ctx.now() };
      deploymentLogs.insert(db, log);
      return startFollowUp(ctx, "deploymentLogs", d.id, `customModelDeployments/${d.id}/logs/${log.id}/`);
    });
    return sendAccepted(ctx, req, reply, statusId);
  });

  app.get<LogParams>("/customModelDeployments/:deploymentId/logs/:logId/", (req, reply) => {
    const d = requireDeployment(db, req.params.deploymentId);
    const log = deploymentLogs.get(db, req.params.logId);
    if (log === undefined || log.deploymentId !== d.id)
      throw notFound(`Deployment log ${req.params.logId} not found`);
    return sendText(reply, log.text);
  });
}
