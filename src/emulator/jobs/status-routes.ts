import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { EmulatorContext } from "../context.js";
import { notFound } from "../http/errors.js";
import { page, pageParams } from "../http/pagination.js";
import type { JobRecord } from "./types.js";

/** The status object `type` per job type (informative only, API.md §7). */
const STATUS_TYPES: Record<JobRecord["type"], string> = {
  environmentBuild: "EnvironmentBuild",
  dependencyBuild: "DependencyBuild",
  test: "Testing",
  datasetIngestion: "Dataset",
  trainingDataAssignment: "TrainingDataAssignment",
  versionTrainingData: "TrainingDataAssignment",
  withTrainingData: "TrainingDataAssignment",
  featureImpact: "FeatureImpact",
  conversion: "Conversion",
  modelPackageBuild: "ModelPackageBuild",
  deploymentCreation: "DeploymentCreation",
  deploymentReplacement: "DeploymentReplacement",
  deploymentSettings: "DeploymentSettings",
  deploymentStatus: "DeploymentStatus",
  challengerCreation: "ChallengerCreation",
  actualsUpload: "ActualsUpload",
  deploymentLogs: "DeploymentLogs",
};

/** Epoch ms as the API's timestamp format (microseconds, `Z`). */
export function isoFromMillis(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, -1)}000Z`;
}

export function statusObject(job: JobRecord): Record<string, unknown> {
  return {
    statusId: job.statusId,
    status: job.state,
    message: job.message,
    code: job.code,
    description: "",
    created: isoFromMillis(job.created),
    type: STATUS_TYPES[job.type],
  };
}

/**
 * The kick-off reply of API.md §7: 202 (201 for a model package, §13.11) + absolute `Location` of
 * `status/{id}/`.
 */
export function sendAccepted(
  ctx: EmulatorContext,
  req: FastifyRequest,
  reply: FastifyReply,
  statusId: string,
  body: unknown = {},
  code: 201 | 202 = 202,
): FastifyReply {
  return reply
    .code(code)
    .header("Location", `${ctx.baseUrl(req)}status/${statusId}/`)
    .send(body);
}

/**
 * `status/`, `status/{id}/` (200 while open or failed, 303 once COMPLETED, 404 unknown). Due jobs are
 * already settled by registerJobRoutes' preHandler; `status/{id}/` also waits for its own job.
 */
export function registerStatusRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.get("/status/", (req) => {
    const params = pageParams(req);
    const { total, jobs } = ctx.jobs.list(params);
    return page(req, ctx.baseUrl(req), params, jobs.map(statusObject), total);
  });

  app.get<{ Params: { statusId: string } }>("/status/:statusId/", async (req, reply) => {
    await ctx.jobs.settle({ include: (job) => job.statusId === req.params.statusId });
    const job = ctx.jobs.get(req.params.statusId);
    if (job === undefined) throw notFound(`Status ${req.params.statusId} not found`);
    // Never 200 + COMPLETED: PY would return the status dict instead of following the result.
    if (job.state === "COMPLETED") {
      const target = job.resultPath === null ? `status/${job.statusId}/` : job.resultPath;
      return reply
        .code(303)
        .header("Location", `${ctx.baseUrl(req)}${target}`)
        .send(statusObject(job));
    }
    return reply.code(200).send(statusObject(job));
  });

  app.delete<{ Params: { statusId: string } }>("/status/:statusId/", (req, reply) => {
    if (!ctx.jobs.remove(req.params.statusId)) throw notFound(`Status ${req.params.statusId} not found`);
    return reply.code(204).send();
  });
}
