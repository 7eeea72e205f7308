import type { Database } from "better-sqlite3";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { EmulatorContext } from "../context.js";
import { missingRequiredParameters, runtimeParameterEntries } from "../domain/runtime-parameters.js";
import { scenarioForModel } from "../domain/scenario.js";
import {
  CheckName,
  CheckSetting,
  cancelledTestingStatus,
  initialTestingStatus,
  resolveConfiguration,
  runChecks,
  type TestResult,
  type TestingStatus,
  type VersionFacts,
} from "../domain/test-checks.js";
import { invalid, notFound } from "../http/errors.js";
import { page, pageParams, searchParams } from "../http/pagination.js";
import { jsonBody, parseEnum, parseInteger, parseString } from "../http/values.js";
import { sendAccepted } from "../jobs/status-routes.js";
import type { JobHandler } from "../jobs/types.js";
import { getModelRecord, NETWORK_EGRESS_POLICIES } from "../store/models.js";
import { freezeVersion, getVersionRecord, type VersionRecord } from "../store/versions.js";
import { getDataset } from "./datasets.js";
import { sendText, tailLines } from "./text.js";

/** Stored as given (API.md §3.1): runtime settings the test would run with. */
interface TestSettings {
  datasetId: string | null;
  environmentId: string | null;
  environmentVersionId: string | null;
  networkEgressPolicy: string | null;
  maximumMemory: number | null;
  desiredMemory: number | null;
  replicas: number | null;
}

interface TestRow {
  id: string;
  custom_model_id: string;
  version_id: string;
  status_id: string;
  overall_status: string;
  testing_status: string;
  configuration: string;
  parameters: string;
  settings: string;
  log: string;
  created: string;
  completed_at: string | null;
}

const TestPayload = z.object({ testId: z.string() });

function getTestRow(db: Database, id: string): TestRow | undefined {
  return db.prepare<[string], TestRow>("SELECT * FROM custom_model_tests WHERE id = ?").get(id);
}

/** The Test object of API.md §3.3. */
function testObject(ctx: EmulatorContext, row: TestRow): Record<string, unknown> {
  const { db } = ctx;
  const model = getModelRecord(db, row.custom_model_id);
  const version = getVersionRecord(db, row.version_id);
  const settings = JSON.parse(row.settings) as TestSettings;
  return {
    id: row.id,
    customModel: { id: row.custom_model_id, name: model?.name ?? "" },
    customModelVersion: {
      id: row.version_id,
      label: version ? `${version.versionMajor}.${version.versionMinor}` : "",
    },
    customModelImageId: row.version_id,
    imageType: "customModelVersion",
    overallStatus: row.overall_status,
    testingStatus: JSON.parse(row.testing_status) as TestingStatus,
    createdBy: ctx.config.username,
    created: row.created,
    completedAt: row.completed_at,
    datasetId: settings.datasetId,
    datasetVersionId:
      settings.datasetId === null ? null : (getDataset(db, settings.datasetId)?.versionId ?? null),
    environmentId: settings.environmentId,
    environmentVersionId: settings.environmentVersionId,
    networkEgressPolicy: settings.networkEgressPolicy,
    maximumMemory: settings.maximumMemory,
    desiredMemory: settings.desiredMemory,
    replicas: settings.replicas,
    configuration: JSON.parse(row.configuration) as unknown,
    parameters: JSON.parse(row.parameters) as unknown,
  };
}

/** What errorCheck judges, read from the version as stored (API.md §3.2). */
export function versionFacts(version: VersionRecord): VersionFacts {
  return {
    filePaths: version.items.map((i) => i.filePath),
    metadataProblem: version.metadataValid ? null : (version.metadataError ?? "invalid file"),
    missingRuntimeParameters: missingRequiredParameters(
      runtimeParameterEntries(version.runtimeParameterDefinitions, version.runtimeParameterOverrides),
    ),
  };
}

function parseConfiguration(value: unknown): Partial<Record<CheckName, CheckSetting>> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value))
    throw invalid("configuration", "configuration must be an object");
  const result: Partial<Record<CheckName, CheckSetting>> = {};
  for (const [key, setting] of Object.entries(value as Record<string, unknown>)) {
    const check = CheckName.safeParse(key);
    if (!check.success) {
      throw invalid(
        "configuration",
        `Unknown check ${key} in configuration; known: ${CheckName.options.join(", ")}`,
      );
    }
    const parsed = CheckSetting.safeParse(setting);
    if (!parsed.success) {
      throw invalid("configuration", `configuration.${key} must be one of fail, warn, skip`);
    }
    result[check.data] = parsed.data;
  }
  return result;
}

function testHandler(ctx: EmulatorContext): JobHandler<z.infer<typeof TestPayload>, TestResult | undefined> {
  return {
    type: "test",
    payload: TestPayload,
    evaluate: (_job, { testId }) => {
      const row = getTestRow(ctx.db, testId);
      const version = row && getVersionRecord(ctx.db, row.version_id);
      const model = row && getModelRecord(ctx.db, row.custom_model_id);
      if (!row || !version || !model) return Promise.resolve(undefined);
      const settings = JSON.parse(row.configuration) as Record<CheckName, CheckSetting>;
      const scripted = scenarioForModel(ctx.config.scenario, model)?.tests;
      return Promise.resolve(runChecks(settings, versionFacts(version), scripted));
    },
    apply: (db, _job, { testId }, result) => {
      if (result === undefined || getTestRow(db, testId) === undefined) {
        return { state: "ERROR", message: `Custom model test ${testId} was deleted with its model` };
      }
      db.prepare(
        "UPDATE custom_model_tests SET overall_status = ?, testing_status = ?, log = log || ?, completed_at = ? WHERE id = ?",
      ).run(result.overallStatus, JSON.stringify(result.testingStatus), result.log, ctx.now(), testId);
      return { state: "COMPLETED", resultPath: `customModelTests/${testId}/` };
    },
    onAbort: (db, _job, { testId }) => {
      const row = getTestRow(db, testId);
      if (row === undefined) return;
      const status = cancelledTestingStatus(JSON.parse(row.testing_status) as TestingStatus);
      db.prepare(
        "UPDATE custom_model_tests SET overall_status = 'failed', testing_status = ?, log = log || ?, completed_at = ? WHERE id = ?",
      ).run(JSON.stringify(status), "Testing was cancelled\n", ctx.now(), testId);
    },
  };
}

function requireTest(db: Database, id: string): TestRow {
  const row = getTestRow(db, id);
  if (row === undefined) throw notFound(`Custom model test ${id} not found`);
  return row;
}

/** `customModelTests/`: create (202 + status), list, get, log, tail, cancel (API.md §3). */
export function registerTestRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  ctx.jobs.register(testHandler(ctx));

  app.post("/customModelTests/", async (req, reply) => {
    const body = jsonBody(req.body);
    const modelId = parseString(body.customModelId, "customModelId");
    const versionId = parseString(body.customModelVersionId, "customModelVersionId");
    if (!modelId) throw invalid("customModelId", "customModelId is required");
    if (!versionId) throw invalid("customModelVersionId", "customModelVersionId is required");
    const configuration = parseConfiguration(body.configuration);
    const parameters = body.parameters ?? {};
    if (typeof parameters !== "object" || parameters === null || Array.isArray(parameters)) {
      throw invalid("parameters", "parameters must be an object");
    }
    const datasetId = parseString(body.datasetId, "datasetId") ?? null;
    const settings: TestSettings = {
      datasetId,
      environmentId: parseString(body.environmentId, "environmentId") ?? null,
      environmentVersionId: parseString(body.environmentVersionId, "environmentVersionId") ?? null,
      networkEgressPolicy:
        parseEnum(body.networkEgressPolicy, "networkEgressPolicy", NETWORK_EGRESS_POLICIES) ?? null,
      maximumMemory: parseInteger(body.maximumMemory, "maximumMemory", 1) ?? null,
      desiredMemory: parseInteger(body.desiredMemory, "desiredMemory", 1) ?? null,
      replicas: parseInteger(body.replicas, "replicas", 1) ?? null,
    };
    const testId = ctx.newId();
    const statusId = ctx.tx(() => {
      const model = getModelRecord(ctx.db, modelId);
      if (!model) throw invalid("customModelId", `Custom model ${modelId} not found`);
      const version = getVersionRecord(ctx.db, versionId);
      if (!version || version.customModelId !== modelId) {
        throw invalid(
          "customModelVersionId",
          `Custom model version ${versionId} not found in custom model ${modelId}`,
        );
      }
      if (datasetId === null && model.targetType !== "Unstructured") {
        throw invalid("datasetId", `datasetId is required for ${model.targetType} models`);
      }
      if (datasetId !== null) {
        const dataset = getDataset(ctx.db, datasetId);
        if (!dataset) throw invalid("datasetId", `Dataset ${datasetId} not found`);
        if (dataset.processingState !== "COMPLETED") {
          throw invalid("datasetId", `Dataset ${datasetId} is ${dataset.processingState}, not COMPLETED`);
        }
      }
      const resolved = resolveConfiguration(configuration, model.targetType);
      const status = ctx.jobs.enqueue({ type: "test", payload: { testId } });
      ctx.db
        .prepare(
          `INSERT INTO custom_model_tests (id, seq, custom_model_id, version_id, status_id, overall_status,
             testing_status, configuration, parameters, settings, log, created)
           VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM custom_model_tests), ?, ?, ?, 'in_progress', ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          testId,
          modelId,
          versionId,
          status,
          JSON.stringify(initialTestingStatus(resolved)),
          JSON.stringify(resolved),
          JSON.stringify(parameters),
          JSON.stringify(settings),
          `Testing custom model ${model.name} version ${version.versionMajor}.${version.versionMinor}\n`,
          ctx.now(),
        );
      freezeVersion(ctx.db, versionId);
      return status;
    });
    // The record is committed (and first in the list) before the 202 leaves: PY reads data[0] next.
    return sendAccepted(ctx, req, reply, statusId);
  });

  app.get("/customModelTests/", (req) => {
    const modelId = searchParams(req).get("customModelId");
    if (!modelId) throw invalid("customModelId", "customModelId is required");
    const params = pageParams(req);
    const total =
      ctx.db
        .prepare<[string], { n: number }>(
          "SELECT count(*) AS n FROM custom_model_tests WHERE custom_model_id = ?",
        )
        .get(modelId)?.n ?? 0;
    const rows = ctx.db
      .prepare<[string, number, number], TestRow>(
        "SELECT * FROM custom_model_tests WHERE custom_model_id = ? ORDER BY seq DESC LIMIT ? OFFSET ?",
      )
      .all(modelId, params.limit, params.offset);
    return page(
      req,
      ctx.baseUrl(req),
      params,
      rows.map((r) => testObject(ctx, r)),
      total,
    );
  });

  app.get<{ Params: { testId: string } }>("/customModelTests/:testId/", (req) =>
    testObject(ctx, requireTest(ctx.db, req.params.testId)),
  );

  app.get<{ Params: { testId: string } }>("/customModelTests/:testId/log/", async (req, reply) =>
    sendText(reply, requireTest(ctx.db, req.params.testId).log),
  );

  app.get<{ Params: { testId: string } }>("/customModelTests/:testId/tail/", async (req, reply) =>
    sendText(reply, tailLines(requireTest(ctx.db, req.params.testId).log, 100)),
  );

  app.delete<{ Params: { testId: string } }>("/customModelTests/:testId/", async (req, reply) => {
    const row = requireTest(ctx.db, req.params.testId);
    // A finished test keeps its result: cancelling it is a no-op (API.md §3.2).
    ctx.jobs.abort(row.status_id, "Testing was cancelled");
    return reply.code(204).send();
  });
}
