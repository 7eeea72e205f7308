import type { Database } from "better-sqlite3";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { EmulatorContext } from "../context.js";
import { scenarioForModel } from "../domain/scenario.js";
import { HttpError, invalid, notFound } from "../http/errors.js";
import { page, pageParams, searchParams } from "../http/pagination.js";
import { jsonBody, parseBoolean, parseString } from "../http/values.js";
import type { JobHandler } from "../jobs/types.js";
import { getModelRecord } from "../store/models.js";
import { getVersionRecord } from "../store/versions.js";
import { requireModelVersion, type VersionParams } from "./model-lookup.js";

interface ConversionRow {
  id: string;
  version_id: string;
  main_program_item_id: string;
  status_id: string;
  created: string;
  in_progress: number;
  succeeded: number;
  should_stop: number;
  log_message: string;
}

const Payload = z.object({ conversionId: z.string() });

function conversionObject(row: ConversionRow): Record<string, unknown> {
  return {
    id: row.id,
    customModelVersionId: row.version_id,
    created: row.created,
    mainProgramItemId: row.main_program_item_id,
    logMessage: row.log_message,
    generatedMetadata: { outputDataset: null, outputColumns: [] },
    conversionSucceeded: row.succeeded === 1,
    conversionInProgress: row.in_progress === 1,
    shouldStop: row.should_stop === 1,
  };
}

function getRow(db: Database, id: string): ConversionRow | undefined {
  return db.prepare<[string], ConversionRow>("SELECT * FROM conversions WHERE id = ?").get(id);
}

/** Judges a SAS conversion: the main program must be non-empty; the scenario may script the result. */
function handler(
  ctx: EmulatorContext,
): JobHandler<z.infer<typeof Payload>, { ok: boolean; log: string } | undefined> {
  return {
    type: "conversion",
    payload: Payload,
    evaluate: (_job, { conversionId }) => {
      const row = getRow(ctx.db, conversionId);
      const version = row && getVersionRecord(ctx.db, row.version_id);
      const model = version && getModelRecord(ctx.db, version.customModelId);
      const item = version?.items.find((i) => i.id === row?.main_program_item_id);
      if (!row || !version || !model || !item) return Promise.resolve(undefined);
      const scripted = scenarioForModel(ctx.config.scenario, model)?.conversion;
      if (scripted?.outcome === "fail") {
        return Promise.resolve({
          ok: false,
          log: scripted.message ?? "Conversion failed (scripted by the scenario file)",
        });
      }
      if (item.size === 0 && scripted?.outcome !== "pass") {
        return Promise.resolve({
          ok: false,
          log: `Main program ${item.filePath} is empty; nothing to convert`,
        });
      }
      return Promise.resolve({ ok: true, log: `Converted main program ${item.filePath}` });
    },
    apply: (db, _job, { conversionId }, result) => {
      const row = getRow(db, conversionId);
      const version = row && getVersionRecord(db, row.version_id);
      if (result === undefined || version === undefined) {
        return { state: "ERROR", message: `Conversion ${conversionId} no longer exists` };
      }
      db.prepare("UPDATE conversions SET in_progress = 0, succeeded = ?, log_message = ? WHERE id = ?").run(
        result.ok ? 1 : 0,
        result.log,
        conversionId,
      );
      const resultPath = `customModels/${version.customModelId}/versions/${version.id}/conversions/${conversionId}/`;
      return result.ok ? { state: "COMPLETED", resultPath } : { state: "ERROR", message: result.log };
    },
    onAbort: (db, _job, { conversionId }) => {
      db.prepare(
        "UPDATE conversions SET in_progress = 0, should_stop = 1, log_message = 'Conversion cancelled' WHERE id = ?",
      ).run(conversionId);
    },
  };
}

/** `customModels/{id}/versions/{vid}/conversions/` for SAS main programs, minimal (API.md §2.1). */
export function registerConversionRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  ctx.jobs.register(handler(ctx));
  const base = "/customModels/:modelId/versions/:versionId/conversions";
  type OneParams = { Params: VersionParams["Params"] & { conversionId: string } };

  const requireConversion = (modelId: string, versionId: string, conversionId: string): ConversionRow => {
    requireModelVersion(ctx.db, modelId, versionId);
    const row = getRow(ctx.db, conversionId);
    if (row === undefined || row.version_id !== versionId)
      throw notFound(`Conversion ${conversionId} not found`);
    return row;
  };

  app.post<VersionParams>(`${base}/`, async (req, reply) => {
    const { modelId, versionId } = req.params;
    const body = jsonBody(req.body);
    const row = ctx.tx(() => {
      const { version } = requireModelVersion(ctx.db, modelId, versionId);
      const itemId = parseString(body.mainProgramItemId, "mainProgramItemId");
      if (!itemId) throw invalid("mainProgramItemId", "mainProgramItemId is required");
      if (!version.items.some((i) => i.id === itemId)) {
        throw invalid(
          "mainProgramItemId",
          `File item ${itemId} is not part of custom model version ${versionId}`,
        );
      }
      const id = ctx.newId();
      const statusId = ctx.jobs.enqueue({ type: "conversion", payload: { conversionId: id } });
      ctx.db
        .prepare(
          `INSERT INTO conversions (id, seq, version_id, main_program_item_id, status_id, created, in_progress)
           VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM conversions), ?, ?, ?, ?, 1)`,
        )
        .run(id, versionId, itemId, statusId, ctx.now());
      return getRow(ctx.db, id);
    });
    if (row === undefined) throw new HttpError(500, "Conversion was not recorded");
    return reply.code(201).send({ conversionId: row.id });
  });

  app.get<VersionParams>(`${base}/`, (req) => {
    const { modelId, versionId } = req.params;
    requireModelVersion(ctx.db, modelId, versionId);
    const latestOnly = parseBoolean(searchParams(req).get("isLatest") ?? undefined, "isLatest") ?? false;
    const params = pageParams(req);
    const all = ctx.db
      .prepare<[string], ConversionRow>("SELECT * FROM conversions WHERE version_id = ? ORDER BY seq DESC")
      .all(versionId);
    const rows = latestOnly ? all.slice(0, 1) : all;
    const slice = rows.slice(params.offset, params.offset + params.limit);
    return page(req, ctx.baseUrl(req), params, slice.map(conversionObject), rows.length);
  });

  app.get<OneParams>(`${base}/:conversionId/`, (req) => {
    const { modelId, versionId, conversionId } = req.params;
    return conversionObject(requireConversion(modelId, versionId, conversionId));
  });

  app.delete<OneParams>(`${base}/:conversionId/`, async (req, reply) => {
    const { modelId, versionId, conversionId } = req.params;
    const row = requireConversion(modelId, versionId, conversionId);
    ctx.jobs.abort(row.status_id, "Conversion cancelled");
    return reply.code(204).send();
  });
}
