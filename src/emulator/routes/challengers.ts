import type { FastifyInstance } from "fastify";
import type { EmulatorContext } from "../context.js";
import { challengersEnabled } from "../domain/deployment-settings.js";
import { invalid, notFound } from "../http/errors.js";
import { jsonBody, parseString } from "../http/values.js";
import { sendAccepted } from "../jobs/status-routes.js";
import { challengers, type ChallengerRecord } from "../store/deployments.js";
import { challengerView } from "../views/deployment-view.js";
import {
  durationAfterBuild,
  environmentInBody,
  followUpHandler,
  requireDeployment,
  startFollowUp,
  type DeploymentParams,
} from "./deployment-common.js";
import { packageForCandidate, requirePassing, validatedCandidate } from "./deployment-model.js";

type ChallengerParams = { Params: { deploymentId: string; challengerId: string } };

/** `deployments/{did}/challengers/` (API.md §13.9): the champion first, then oldest first. */
export function registerChallengerRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  ctx.jobs.register(followUpHandler("challengerCreation"));
  const { db } = ctx;

  app.get<DeploymentParams>("/deployments/:deploymentId/challengers/", (req) => {
    const d = requireDeployment(db, req.params.deploymentId);
    const all = challengers.list(db, {
      where: ["deployment_id = ?"],
      params: [d.id],
      order: "is_champion DESC, seq ASC",
      offset: 0,
      limit: -1,
    });
    const data = all.records.map((c) => challengerView(ctx, c));
    return { count: data.length, totalCount: all.total, next: null, previous: null, data };
  });

  app.get<ChallengerParams>("/deployments/:deploymentId/challengers/:challengerId/", (req) => {
    const d = requireDeployment(db, req.params.deploymentId);
    const c = challengers.get(db, req.params.challengerId);
    if (c === undefined || c.deploymentId !== d.id)
      throw notFound(`Challenger ${req.params.challengerId} not found`);
    return challengerView(ctx, c);
  });

  app.post<DeploymentParams>("/deployments/:deploymentId/challengers/", (req, reply) => {
    const body = jsonBody(req.body);
    const statusId = ctx.tx(() => {
      const d = requireDeployment(db, req.params.deploymentId);
      if (!challengersEnabled(d.settings))
        throw invalid(
          "challengerModels",
          `Challenger models are not enabled for deployment ${d.id}: PATCH its settings with challengerModels.enabled true first`,
        );
      const { candidate, validation } = validatedCandidate(ctx, d, body);
      requirePassing(candidate, validation);
      const pkg = packageForCandidate(ctx, candidate);
      const hasEnvironment =
        body.predictionEnvironmentId !== undefined && body.predictionEnvironmentId !== null;
      const name = parseString(body.name, "name");
      if (name === "" || name === null) throw invalid("name", "name must not be empty");
      const challenger: ChallengerRecord = {
        id: ctx.newId(),
        deploymentId: d.id,
        name: name ?? pkg.name,
        modelPackageId: pkg.id,
        predictionEnvironmentId: hasEnvironment ? environmentInBody(db, body).id : d.predictionEnvironmentId,
        isChampion: false,
        created: ctx.now(),
      };
      challengers.insert(db, challenger);
      const target = `deployments/${d.id}/challengers/${challenger.id}/`;
      return startFollowUp(ctx, "challengerCreation", d.id, target, durationAfterBuild(ctx, pkg));
    });
    return sendAccepted(ctx, req, reply, statusId);
  });
}
