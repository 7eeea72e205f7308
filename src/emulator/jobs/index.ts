import type { FastifyInstance } from "fastify";
import type { EmulatorContext } from "../context.js";
import { registerConversionRoutes } from "../routes/conversions.js";
import { registerDatasetRoutes } from "../routes/datasets.js";
import { registerDependencyBuildRoutes } from "../routes/dependency-builds.js";
import { registerEnvironmentBuildJobs } from "../routes/environment-builds.js";
import { registerFeatureImpactRoutes } from "../routes/feature-impact.js";
import { registerTestRoutes } from "../routes/tests.js";
import { registerTrainingDataRoutes } from "../routes/training-data.js";
import { registerChallengerRoutes } from "../routes/challengers.js";
import { registerCustomModelDeploymentRoutes } from "../routes/custom-model-deployments.js";
import { registerDeploymentModelRoutes } from "../routes/deployment-model.js";
import { registerDeploymentSettingsRoutes } from "../routes/deployment-settings.js";
import { registerDeploymentRoutes } from "../routes/deployments.js";
import { registerModelPackageRoutes } from "../routes/model-packages.js";
import { registerPredictionEnvironmentRoutes } from "../routes/prediction-environments.js";
import { registerStatusRoutes } from "./status-routes.js";

export { createJobRunner, type JobRunner, type JobRunnerOptions } from "./runner.js";
export type { JobHandler, JobOutcome, JobRecord } from "./types.js";
export { JobState, JobType } from "./types.js";
export { startEnvironmentBuild } from "../routes/environment-builds.js";
export { getDataset, type DatasetRecord } from "../routes/datasets.js";
export { startVersionTrainingAssignment } from "../routes/training-data.js";

/**
 * Everything asynchronous in one call for server.ts: `status/` routes, tests, builds, datasets,
 * training data, feature impact, conversions, and model packages, registered models, prediction
 * environments and deployments (API.md §13), and their job handlers. Every request in this scope
 * first finishes the jobs that are due, so a read never shows a state older than the clock says
 * (the runner's ticker does the same in the background).
 */
export function registerJobRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.addHook("preHandler", async () => {
    await ctx.jobs.settle();
  });
  ctx.jobs.start();
  app.addHook("onClose", async () => {
    await ctx.jobs.stop();
  });
  registerStatusRoutes(app, ctx);
  registerTestRoutes(app, ctx);
  registerDatasetRoutes(app, ctx);
  registerDependencyBuildRoutes(app, ctx);
  registerEnvironmentBuildJobs(app, ctx);
  registerTrainingDataRoutes(app, ctx);
  registerFeatureImpactRoutes(app, ctx);
  registerConversionRoutes(app, ctx);
  registerModelPackageRoutes(app, ctx);
  registerPredictionEnvironmentRoutes(app, ctx);
  registerDeploymentRoutes(app, ctx);
  registerDeploymentModelRoutes(app, ctx);
  registerDeploymentSettingsRoutes(app, ctx);
  registerChallengerRoutes(app, ctx);
  registerCustomModelDeploymentRoutes(app, ctx);
}
