import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { EmulatorContext } from "../context.js";
import { notFound } from "../http/errors.js";
import { sendAccepted } from "../jobs/status-routes.js";
import type { JobHandler } from "../jobs/types.js";
import { scenarioForModel } from "../domain/scenario.js";
import { getModelRecord } from "../store/models.js";
import { requireModelVersion, type VersionParams } from "./model-lookup.js";

const Payload = z.object({ modelId: z.string(), versionId: z.string() });

/** The fixed result of API.md §2.11: the emulator runs no model, so there is nothing to rank. */
const EMPTY_IMPACT = {
  count: 0,
  ranRedundancyDetection: false,
  rowCount: null,
  shapBased: false,
  featureImpacts: [],
};

function handler(ctx: EmulatorContext): JobHandler<z.infer<typeof Payload>, null> {
  return {
    type: "featureImpact",
    payload: Payload,
    evaluate: () => Promise.resolve(null),
    apply: (db, job, { modelId, versionId }) => {
      const model = getModelRecord(db, modelId);
      const scripted = model && scenarioForModel(ctx.config.scenario, model)?.featureImpact;
      // A scripted failure leaves nothing calculated: GET keeps answering 404.
      if (scripted?.outcome === "fail")
        return {
          state: "ERROR",
          message: scripted.message ?? "Feature impact failed (scripted by the scenario file)",
        };
      const changed = db
        .prepare("UPDATE feature_impacts SET done = 1 WHERE version_id = ? AND status_id = ?")
        .run(versionId, job.statusId).changes;
      if (changed === 0) return { state: "ERROR", message: `Custom model version ${versionId} was deleted` };
      return {
        state: "COMPLETED",
        resultPath: `customModels/${modelId}/versions/${versionId}/featureImpact/`,
      };
    },
  };
}

/** `customModels/{id}/versions/{vid}/featureImpact/` (API.md §2.11). */
export function registerFeatureImpactRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  ctx.jobs.register(handler(ctx));
  const path = "/customModels/:modelId/versions/:versionId/featureImpact/";

  app.post<VersionParams>(path, async (req, reply) => {
    const { modelId, versionId } = req.params;
    const statusId = ctx.tx(() => {
      requireModelVersion(ctx.db, modelId, versionId);
      const id = ctx.jobs.enqueue({ type: "featureImpact", payload: { modelId, versionId } });
      ctx.db
        .prepare("INSERT OR REPLACE INTO feature_impacts (version_id, status_id, done) VALUES (?, ?, 0)")
        .run(versionId, id);
      return id;
    });
    return sendAccepted(ctx, req, reply, statusId);
  });

  app.get<VersionParams>(path, (req) => {
    const { modelId, versionId } = req.params;
    requireModelVersion(ctx.db, modelId, versionId);
    const done = ctx.db
      .prepare<[string], { done: number }>(
        "SELECT done FROM feature_impacts WHERE version_id = ? AND done = 1",
      )
      .get(versionId);
    if (done === undefined) throw notFound("Feature impact not calculated");
    return EMPTY_IMPACT;
  });
}
