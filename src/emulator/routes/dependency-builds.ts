import type { Database } from "better-sqlite3";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import type { EmulatorContext } from "../context.js";
import { scenarioForModel, type ScriptedOutcome } from "../domain/scenario.js";
import { conflict, HttpError, invalid } from "../http/errors.js";
import type { JobHandler } from "../jobs/types.js";
import { getModelRecord } from "../store/models.js";
import { getVersionRecord, type VersionRecord } from "../store/versions.js";
import { requireModelVersion, type VersionParams } from "./model-lookup.js";
import { sendText } from "./text.js";

type BuildStatus = "submitted" | "processing" | "success" | "failed";

interface BuildRow {
  version_id: string;
  custom_model_id: string;
  status_id: string;
  build_status: BuildStatus;
  build_start: string;
  build_end: string | null;
  log: string;
}

const BuildPayload = z.object({ versionId: z.string() });

function getBuild(db: Database, versionId: string): BuildRow | undefined {
  return db
    .prepare<[string], BuildRow>("SELECT * FROM dependency_builds WHERE version_id = ?")
    .get(versionId);
}

function notStarted(versionId: string): HttpError {
  // CMA matches this message (API.md §0.6).
  return new HttpError(422, `Custom model version ${versionId} build has not been started`);
}

function buildObject(ctx: EmulatorContext, req: FastifyRequest, row: BuildRow): Record<string, unknown> {
  const final = row.build_status === "success" || row.build_status === "failed";
  return {
    customModelId: row.custom_model_id,
    customModelVersionId: row.version_id,
    buildStatus: row.build_status,
    buildStart: row.build_start,
    buildEnd: row.build_end,
    buildLogLocation: final
      ? `${ctx.baseUrl(req)}customModels/${row.custom_model_id}/versions/${row.version_id}/dependencyBuildLog/`
      : null,
  };
}

/** The docker-style log of a dependency build and whether it succeeds (API.md §5). */
export function dependencyBuildOutcome(
  version: Pick<VersionRecord, "dependencies" | "invalidRequirements">,
  scripted: ScriptedOutcome | undefined,
): { ok: boolean; log: string } {
  const lines = [
    "Step 1/3 : FROM base-environment",
    "Step 2/3 : COPY requirements.txt /tmp/requirements.txt",
    "Step 3/3 : RUN pip install --no-cache-dir -r /tmp/requirements.txt",
  ];
  for (const dep of version.dependencies) lines.push(`Collecting ${dep.line.trim()}`);
  const invalidLines = scripted?.outcome === "pass" ? [] : version.invalidRequirements;
  for (const bad of invalidLines) {
    lines.push(
      `ERROR: Invalid requirement at requirements.txt line ${bad.lineNumber}: "${bad.line}": ${bad.reason}`,
    );
  }
  if (invalidLines.length > 0) {
    const n = invalidLines.length;
    lines.push(`Build failed: requirements.txt has ${n} invalid line${n === 1 ? "" : "s"}`);
    return { ok: false, log: `${lines.join("\n")}\n` };
  }
  if (scripted?.outcome === "fail") {
    lines.push(`ERROR: ${scripted.message ?? "Dependency build failed (scripted by the scenario file)"}`);
    lines.push("Build failed");
    return { ok: false, log: `${lines.join("\n")}\n` };
  }
  const names = version.dependencies.map((d) => d.packageName);
  lines.push(names.length > 0 ? `Successfully installed ${names.join(" ")}` : "Nothing to install");
  lines.push("Build succeeded");
  return { ok: true, log: `${lines.join("\n")}\n` };
}

function buildHandler(
  ctx: EmulatorContext,
): JobHandler<z.infer<typeof BuildPayload>, { ok: boolean; log: string } | undefined> {
  return {
    type: "dependencyBuild",
    payload: BuildPayload,
    onStart: (db, _job, { versionId }) => {
      db.prepare(
        "UPDATE dependency_builds SET build_status = 'processing' WHERE version_id = ? AND build_status = 'submitted'",
      ).run(versionId);
    },
    evaluate: (_job, { versionId }) => {
      const version = getVersionRecord(ctx.db, versionId);
      const model = version && getModelRecord(ctx.db, version.customModelId);
      if (!version || !model) return Promise.resolve(undefined);
      return Promise.resolve(
        dependencyBuildOutcome(version, scenarioForModel(ctx.config.scenario, model)?.dependencyBuild),
      );
    },
    apply: (db, job, { versionId }, outcome) => {
      const row = getBuild(db, versionId);
      // A newer build of the same version replaced this one; its own job will finish it.
      if (outcome === undefined || row === undefined || row.status_id !== job.statusId) {
        return { state: "ERROR", message: "The dependency build no longer exists" };
      }
      db.prepare(
        "UPDATE dependency_builds SET build_status = ?, build_end = ?, log = ? WHERE version_id = ?",
      ).run(outcome.ok ? "success" : "failed", ctx.now(), outcome.log, versionId);
      const resultPath = `customModels/${row.custom_model_id}/versions/${versionId}/dependencyBuild/`;
      return outcome.ok
        ? { state: "COMPLETED", resultPath }
        : { state: "ERROR", message: "Dependency build failed" };
    },
    onAbort: (db, job, { versionId }) => {
      const row = getBuild(db, versionId);
      if (row === undefined || row.status_id !== job.statusId) return;
      db.prepare(
        "UPDATE dependency_builds SET build_status = 'failed', build_end = ?, log = log || ? WHERE version_id = ?",
      ).run(ctx.now(), "Build cancelled\n", versionId);
    },
  };
}

/** `customModels/{id}/versions/{vid}/dependencyBuild/` and `dependencyBuildLog/` (API.md §5). */
export function registerDependencyBuildRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  ctx.jobs.register(buildHandler(ctx));
  const base = "/customModels/:modelId/versions/:versionId";

  app.post<VersionParams>(`${base}/dependencyBuild/`, async (req, reply) => {
    const { modelId, versionId } = req.params;
    const row = ctx.tx(() => {
      const { version } = requireModelVersion(ctx.db, modelId, versionId);
      if (!version.items.some((i) => i.filePath === "requirements.txt")) {
        throw invalid("requirements.txt", `Custom model version ${versionId} has no requirements.txt`);
      }
      const existing = getBuild(ctx.db, versionId);
      if (existing !== undefined && existing.build_status !== "failed") {
        throw conflict(`Dependency build already ${existing.build_status}`);
      }
      const statusId = ctx.jobs.enqueue({ type: "dependencyBuild", payload: { versionId } });
      ctx.db
        .prepare(
          `INSERT OR REPLACE INTO dependency_builds (version_id, custom_model_id, status_id, build_status, build_start, build_end, log)
           VALUES (?, ?, ?, 'submitted', ?, NULL, '')`,
        )
        .run(versionId, modelId, statusId, ctx.now());
      return getBuild(ctx.db, versionId);
    });
    if (row === undefined) throw new HttpError(500, "Dependency build was not recorded");
    return reply.code(202).send(buildObject(ctx, req, row));
  });

  app.get<VersionParams>(`${base}/dependencyBuild/`, (req) => {
    const { modelId, versionId } = req.params;
    requireModelVersion(ctx.db, modelId, versionId);
    const row = getBuild(ctx.db, versionId);
    if (row === undefined) throw notStarted(versionId);
    return buildObject(ctx, req, row);
  });

  app.get<VersionParams>(`${base}/dependencyBuildLog/`, async (req, reply) => {
    const { modelId, versionId } = req.params;
    requireModelVersion(ctx.db, modelId, versionId);
    const row = getBuild(ctx.db, versionId);
    if (row === undefined) throw notStarted(versionId);
    return sendText(reply, row.log);
  });

  app.delete<VersionParams>(`${base}/dependencyBuild/`, async (req, reply) => {
    const { modelId, versionId } = req.params;
    requireModelVersion(ctx.db, modelId, versionId);
    const row = getBuild(ctx.db, versionId);
    if (row === undefined) throw notStarted(versionId);
    ctx.jobs.abort(row.status_id, "Build cancelled");
    return reply.code(204).send();
  });
}
