import type { Database } from "better-sqlite3";
import { z } from "zod";
import type { EmulatorContext } from "../context.js";
import { errorCheckProblems } from "../domain/test-checks.js";
import { scenarioForModel } from "../domain/scenario.js";
import { invalid, notFound } from "../http/errors.js";
import { parseString } from "../http/values.js";
import type { JobHandler, JobType } from "../jobs/types.js";
import {
  deployments,
  predictionEnvironments,
  type DeploymentRecord,
  type PredictionEnvironmentRecord,
} from "../store/deployments.js";
import {
  packages,
  registeredModels,
  type PackageRecord,
  type RegisteredModelRecord,
} from "../store/model-packages.js";
import { getModelRecord } from "../store/models.js";
import { getVersionRecord } from "../store/versions.js";
import { versionFacts } from "./tests.js";

export type DeploymentParams = { Params: { deploymentId: string } };

/** The 404s of API.md §13.12. */
export function requireDeployment(db: Database, id: string): DeploymentRecord {
  const d = deployments.get(db, id);
  if (d === undefined) throw notFound(`Deployment ${id} not found`);
  return d;
}

export function requirePackage(db: Database, id: string): PackageRecord {
  const p = packages.get(db, id);
  if (p === undefined) throw notFound(`Model package ${id} not found`);
  return p;
}

export function requireRegisteredModel(db: Database, id: string): RegisteredModelRecord {
  const r = registeredModels.get(db, id);
  if (r === undefined) throw notFound(`Registered model ${id} not found`);
  return r;
}

export function requirePredictionEnvironment(db: Database, id: string): PredictionEnvironmentRecord {
  const e = predictionEnvironments.get(db, id);
  if (e === undefined) throw notFound(`Prediction environment ${id} not found`);
  return e;
}

/** An id named in a body must exist: missing or unknown gets 422 on that field (§13.12). */
export function existingInBody<T>(
  body: Record<string, unknown>,
  field: string,
  lookup: (id: string) => T | undefined,
  what: string,
): T {
  const id = parseString(body[field], field);
  if (!id) throw invalid(field, `${field} is required`);
  const found = lookup(id);
  if (found === undefined) throw invalid(field, `${what} ${id} not found`);
  return found;
}

/** The seeded environment: where deployments go when no `predictionEnvironmentId` is sent (§13.5). */
export function defaultPredictionEnvironment(db: Database): PredictionEnvironmentRecord {
  const e = predictionEnvironments.find(db, ["builtin = 1"], []);
  if (e === undefined) throw new Error("the seeded prediction environment is missing");
  return e;
}

/** A body's `predictionEnvironmentId`, or the seeded one when absent; unknown gets 422. */
export function environmentInBody(db: Database, body: Record<string, unknown>): PredictionEnvironmentRecord {
  if (body.predictionEnvironmentId === undefined || body.predictionEnvironmentId === null)
    return defaultPredictionEnvironment(db);
  return existingInBody(
    body,
    "predictionEnvironmentId",
    (id) => predictionEnvironments.get(db, id),
    "Prediction environment",
  );
}

/**
 * A job that must not end before its package is built (PY deploys without waiting, §13.5): the
 * default duration, or the time the package build still needs when that is longer.
 */
export function durationAfterBuild(ctx: EmulatorContext, p: PackageRecord): number | undefined {
  const build = p.buildStatus === "complete" ? undefined : ctx.jobs.get(p.buildStatusId);
  if (build === undefined) return undefined;
  return Math.max(ctx.jobs.defaultDurationMs, build.created + build.durationMs - Date.now());
}

/**
 * Why a deployment serving this package errors, or null: the errorCheck rules of §3.2 on its
 * version (§13.5), unless the scenario file scripts the outcome for its custom model.
 */
export function deploymentProblem(ctx: EmulatorContext, p: PackageRecord): string | null {
  const model = getModelRecord(ctx.db, p.customModelId);
  const scripted = model === undefined ? undefined : scenarioForModel(ctx.config.scenario, model)?.deployment;
  if (scripted?.outcome === "fail")
    return scripted.message ?? "Deployment failed (scripted by the scenario file)";
  if (scripted?.outcome === "pass") return null;
  const version = getVersionRecord(ctx.db, p.versionId);
  if (version === undefined) return `Custom model version ${p.versionId} was deleted`;
  const problems = errorCheckProblems(versionFacts(version));
  return problems.length === 0 ? null : problems.join("; ");
}

const FollowUp = z.object({ deploymentId: z.string(), resultPath: z.string() });

/** Jobs whose only effect was applied by their request: they end with a 303 to `resultPath`. */
export function followUpHandler(type: JobType): JobHandler<z.infer<typeof FollowUp>, null> {
  return {
    type,
    payload: FollowUp,
    evaluate: () => Promise.resolve(null),
    apply: (db, _job, p) =>
      deployments.get(db, p.deploymentId) === undefined
        ? { state: "ERROR", message: `Deployment ${p.deploymentId} was deleted` }
        : { state: "COMPLETED", resultPath: p.resultPath },
  };
}

export function startFollowUp(
  ctx: EmulatorContext,
  type: JobType,
  deploymentId: string,
  resultPath: string,
  durationMs?: number,
): string {
  return ctx.jobs.enqueue({
    type,
    payload: { deploymentId, resultPath },
    ...(durationMs === undefined ? {} : { durationMs }),
  });
}
