import type { FastifyInstance } from "fastify";
import { ReplacementReasonSchema } from "../../client/wire/deployment.js";
import type { EmulatorContext } from "../context.js";
import {
  validateReplacement,
  type CandidateFacts,
  type Validation,
} from "../domain/deployment-validation.js";
import { scenarioForModel } from "../domain/scenario.js";
import { HttpError, invalid } from "../http/errors.js";
import { jsonBody, parseEnum } from "../http/values.js";
import { sendAccepted } from "../jobs/status-routes.js";
import { challengers, deployments, type DeploymentRecord } from "../store/deployments.js";
import { packages, type PackageRecord } from "../store/model-packages.js";
import { getModelRecord, type ModelRecord } from "../store/models.js";
import { getVersionRecord, type VersionRecord } from "../store/versions.js";
import { packageOf } from "../views/deployment-view.js";
import { existingInBody, requireDeployment, type DeploymentParams } from "./deployment-common.js";
import { startLaunch } from "./deployments.js";
import { createPackage, packageTargetOf } from "./model-packages.js";

/** PY's enum, CMA's schema and TF's `OTHER` (API.md §13.7), from the wire schemas both sides share. */
const REASONS = ReplacementReasonSchema.options;

/** The model proposed by a body: a package (CMA, TF) or a custom model version (PY, §13.14). */
interface Candidate {
  facts: CandidateFacts;
  /** The package to serve; undefined when `modelId` names a version without one (one is made). */
  pkg: PackageRecord | undefined;
  /** Set when the body named a version. */
  version: VersionRecord | undefined;
  model: ModelRecord | undefined;
  /** The body field that named it, for the 422s. */
  field: "modelPackageId" | "modelId";
}

function candidateOf(ctx: EmulatorContext, body: Record<string, unknown>): Candidate {
  const { db } = ctx;
  const byPackage = body.modelPackageId !== undefined && body.modelPackageId !== null;
  const byVersion = body.modelId !== undefined && body.modelId !== null;
  if (byPackage === byVersion)
    throw invalid(
      "modelPackageId",
      byPackage ? "Send modelPackageId or modelId, not both" : "modelPackageId or modelId is required",
    );
  const fromPackage = (
    pkg: PackageRecord,
    field: Candidate["field"],
    version?: VersionRecord,
  ): Candidate => ({
    facts: {
      versionId: pkg.versionId,
      target: pkg.target,
      packageId: pkg.id,
      built: pkg.buildStatus === "complete",
    },
    pkg,
    version,
    model: getModelRecord(db, pkg.customModelId),
    field,
  });
  if (byPackage)
    return fromPackage(
      existingInBody(body, "modelPackageId", (id) => packages.get(db, id), "Model package"),
      "modelPackageId",
    );
  const version = existingInBody(body, "modelId", (id) => getVersionRecord(db, id), "Custom model version");
  // The version's newest package is used, or a new one is made on replacement (§13.7).
  const newest = packages.find(db, ["version_id = ?"], [version.id]);
  if (newest !== undefined) return fromPackage(newest, "modelId", version);
  const model = getModelRecord(db, version.customModelId);
  if (model === undefined) throw invalid("modelId", `Custom model ${version.customModelId} not found`);
  return {
    facts: { versionId: version.id, target: packageTargetOf(model), packageId: null, built: true },
    pkg: undefined,
    version,
    model,
    field: "modelId",
  };
}

/** The §13.7 checks of `candidate` against what `d` serves now. */
function validate(ctx: EmulatorContext, d: DeploymentRecord, candidate: Candidate): Validation {
  const champion = packageOf(ctx, d.modelPackageId);
  const scripted =
    candidate.model === undefined
      ? undefined
      : scenarioForModel(ctx.config.scenario, candidate.model)?.deploymentValidation;
  return validateReplacement(
    { versionId: champion.versionId, target: champion.target },
    candidate.facts,
    scripted,
  );
}

/** Validation and replacement requests must not make a package before deciding; validation never does. */
export function validatedCandidate(
  ctx: EmulatorContext,
  d: DeploymentRecord,
  body: Record<string, unknown>,
): { candidate: Candidate; validation: Validation } {
  const candidate = candidateOf(ctx, body);
  return { candidate, validation: validate(ctx, d, candidate) };
}

/** A failing validation refuses a replacement or a challenger with its message (§13.7, §13.9). */
export function requirePassing(candidate: Candidate, validation: Validation): void {
  if (validation.status === "failing")
    throw new HttpError(422, validation.message, { [candidate.field]: validation.message });
}

/** The candidate's package, made now (unregistered, freezing the version) when it has none. */
export function packageForCandidate(ctx: EmulatorContext, candidate: Candidate): PackageRecord {
  if (candidate.pkg !== undefined) return candidate.pkg;
  if (candidate.model === undefined || candidate.version === undefined)
    throw new Error("a candidate without a package names a version");
  return createPackage(ctx, candidate.model, candidate.version).pkg;
}

/** `deployments/{did}/model/validation/` and `deployments/{did}/model/` (API.md §13.7). */
export function registerDeploymentModelRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const { db } = ctx;

  app.post<DeploymentParams>("/deployments/:deploymentId/model/validation/", (req) => {
    const body = jsonBody(req.body);
    const d = requireDeployment(db, req.params.deploymentId);
    return validatedCandidate(ctx, d, body).validation;
  });

  app.patch<DeploymentParams>("/deployments/:deploymentId/model/", (req, reply) => {
    const body = jsonBody(req.body);
    const statusId = ctx.tx(() => {
      const d = requireDeployment(db, req.params.deploymentId);
      if (parseEnum(body.reason, "reason", REASONS) == null)
        throw invalid("reason", `reason is required: one of ${REASONS.join(", ")}`);
      const { candidate, validation } = validatedCandidate(ctx, d, body);
      requirePassing(candidate, validation);
      const pkg = packageForCandidate(ctx, candidate);
      // The champion is swapped before the 202: predictions use the new model at once (§13.7).
      const next: DeploymentRecord = { ...d, modelPackageId: pkg.id };
      deployments.save(db, next);
      const champion = challengers.find(db, ["deployment_id = ?", "is_champion = 1"], [d.id]);
      if (champion !== undefined)
        challengers.save(db, { ...champion, modelPackageId: pkg.id, name: pkg.name });
      return startLaunch(ctx, "deploymentReplacement", next);
    });
    return sendAccepted(ctx, req, reply, statusId);
  });
}
