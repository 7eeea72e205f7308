import type { FastifyInstance } from "fastify";
import type { EmulatorContext } from "../context.js";
import { mergeSettings } from "../domain/deployment-settings.js";
import { invalid } from "../http/errors.js";
import { jsonBody, parseEnum, parseString } from "../http/values.js";
import { sendAccepted } from "../jobs/status-routes.js";
import { deployments } from "../store/deployments.js";
import { settingsView } from "../views/deployment-view.js";
import {
  followUpHandler,
  requireDeployment,
  startFollowUp,
  type DeploymentParams,
} from "./deployment-common.js";
import { completedDataset } from "./training-data.js";

function requiredColumn(body: Record<string, unknown>, field: string, columns: string[] | null): string {
  const column = parseString(body[field], field);
  if (!column) throw invalid(field, `${field} is required`);
  // Checked only when the dataset's columns are known, as for partition columns (API.md §6.1).
  if (columns !== null && !columns.includes(column))
    throw invalid(field, `${field} ${column} is not a column of the dataset`);
  return column;
}

/** `settings/`, `status/` and `actuals/fromDataset/` of a deployment (API.md §13.8, §13.9). */
export function registerDeploymentSettingsRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  ctx.jobs.register(followUpHandler("deploymentSettings"));
  ctx.jobs.register(followUpHandler("deploymentStatus"));
  ctx.jobs.register(followUpHandler("actualsUpload"));
  const { db } = ctx;
  const target = (id: string): string => `deployments/${id}/`;

  app.get<DeploymentParams>("/deployments/:deploymentId/settings/", (req) =>
    settingsView(requireDeployment(db, req.params.deploymentId)),
  );

  app.patch<DeploymentParams>("/deployments/:deploymentId/settings/", (req, reply) => {
    const body = jsonBody(req.body);
    const statusId = ctx.tx(() => {
      const d = requireDeployment(db, req.params.deploymentId);
      // The change is visible at once; the job only reports it done (§13.8).
      deployments.save(db, { ...d, settings: mergeSettings(d.settings, body) });
      return startFollowUp(ctx, "deploymentSettings", d.id, target(d.id));
    });
    return sendAccepted(ctx, req, reply, statusId);
  });

  app.patch<DeploymentParams>("/deployments/:deploymentId/status/", (req, reply) => {
    const body = jsonBody(req.body);
    const statusId = ctx.tx(() => {
      const d = requireDeployment(db, req.params.deploymentId);
      const status = parseEnum(body.status, "status", ["active", "inactive"] as const);
      if (!status) throw invalid("status", "status is required: active or inactive");
      if (d.status === "launching" || d.status === "errored")
        throw invalid("status", `Cannot change the status of a deployment that is ${d.status}`);
      deployments.save(db, { ...d, status });
      return startFollowUp(ctx, "deploymentStatus", d.id, target(d.id));
    });
    return sendAccepted(ctx, req, reply, statusId);
  });

  app.post<DeploymentParams>("/deployments/:deploymentId/actuals/fromDataset/", (req, reply) => {
    const body = jsonBody(req.body);
    const statusId = ctx.tx(() => {
      const d = requireDeployment(db, req.params.deploymentId);
      const dataset = completedDataset(ctx, body.datasetId, "datasetId");
      requiredColumn(body, "actualValueColumn", dataset.columns);
      requiredColumn(body, "associationIdColumn", dataset.columns);
      // Nothing else is recorded: the emulator keeps no monitoring data (§13.9).
      return startFollowUp(ctx, "actualsUpload", d.id, target(d.id));
    });
    return sendAccepted(ctx, req, reply, statusId);
  });
}
