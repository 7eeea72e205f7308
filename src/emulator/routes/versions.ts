import { posix } from "node:path";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { uploadBudget, type BlobLease } from "../blobs.js";
import type { EmulatorContext } from "../context.js";
import { HttpError, invalid } from "../http/errors.js";
import type { Part } from "../http/multipart.js";
import { MULTIPART_ROUTE, readMultipart } from "../http/multipart.js";
import { page, pageParams, searchParams } from "../http/pagination.js";
import {
  jsonBody,
  parseBoolean,
  parseEnum,
  parseInteger,
  parseJsonField,
  parseString,
} from "../http/values.js";
import { startVersionTrainingAssignment } from "../routes/training-data.js";
import { getEnvironmentRecord } from "../store/environments.js";
import { GitModelVersionSchema, NETWORK_EGRESS_POLICIES } from "../store/models.js";
import type { Upload, VersionInput } from "../store/version-builder.js";
import { buildVersion, normaliseFilePath } from "../store/version-builder.js";
import type { VersionRecord } from "../store/versions.js";
import {
  listVersionRecords,
  RequiredMetadataValueSchema,
  saveVersionDoc,
  setVersionTrainingData,
} from "../store/versions.js";
import { versionView } from "../views/version-view.js";
import { sendItemsZip } from "../views/zip.js";
import { requireModel } from "./custom-models.js";
import { requireModelVersion, type VersionParams } from "./model-lookup.js";

type Field = { name: string; value: unknown };
type ModelParams = { Params: { modelId: string } };

const RUNTIME_PARAMETERS_REFUSED = "runtimeParameters is not allowed key";

/** file/filePath pairing by order (API.md §2.3): a filePath joins the nearest earlier unpaired file. */
export function pairFiles(parts: readonly Part[]): { uploads: Upload[]; fields: Field[] } {
  const files: { filename: string; sha256: string; size: number; filePath?: string }[] = [];
  const fields: Field[] = [];
  for (const part of parts) {
    if (part.kind === "file") {
      if (part.name === "file")
        files.push({ filename: part.filename, sha256: part.blob.sha256, size: part.blob.size });
      continue;
    }
    if (part.name !== "filePath") {
      // A multipart "None" or empty value means "use the default" (API.md §0.9 rule 3).
      if (part.value !== "None" && part.value !== "") fields.push({ name: part.name, value: part.value });
      continue;
    }
    const target = [...files].reverse().find((f) => f.filePath === undefined);
    if (!target)
      throw invalid(
        "filePath",
        `filePath "${part.value}" has no file part before it (file/filePath count mismatch)`,
      );
    target.filePath = part.value;
  }
  const uploads = files.map((f) => {
    const raw = f.filePath ?? f.filename;
    const filePath = normaliseFilePath(raw);
    return { filePath, fileName: f.filename || posix.basename(filePath), sha256: f.sha256, size: f.size };
  });
  return { uploads, fields };
}

const TrainingDataField = z.looseObject({ datasetId: z.string().min(1) });
const HoldoutDataField = z.looseObject({
  datasetId: z.string().min(1).nullish(),
  partitionColumn: z.string().min(1).nullish(),
});

function structured<T>(schema: z.ZodType<T>, value: unknown, field: string, what: string): T | undefined {
  const decoded = parseJsonField(value, field);
  if (decoded === undefined || decoded === null) return undefined;
  const parsed = schema.safeParse(decoded);
  if (!parsed.success) throw invalid(field, `${field} must be ${what}`);
  return parsed.data;
}

/** Turns the fields of either wire form (multipart strings or JSON values) into a VersionInput. */
export function versionInput(fields: readonly Field[], uploads: Upload[], clean: boolean): VersionInput {
  const one = (name: string): unknown => fields.find((f) => f.name === name)?.value;
  if (fields.some((f) => f.name === "runtimeParameters"))
    throw new HttpError(422, RUNTIME_PARAMETERS_REFUSED, { runtimeParameters: RUNTIME_PARAMETERS_REFUSED });
  const filesToDelete = fields
    .filter((f) => f.name === "filesToDelete")
    .flatMap((f) => (Array.isArray(f.value) ? (f.value as unknown[]) : [f.value]))
    .filter((v): v is string => typeof v === "string" && v !== "");
  if (clean && filesToDelete.length > 0)
    throw invalid(
      "filesToDelete",
      "filesToDelete is only allowed when creating a version from the latest (PATCH)",
    );
  let requiredMetadataValues = structured(
    z.array(RequiredMetadataValueSchema),
    one("requiredMetadataValues"),
    "requiredMetadataValues",
    "a list of {fieldName, value} strings",
  );
  const legacy = structured(
    z.record(z.string(), z.string()),
    one("requiredMetadata"),
    "requiredMetadata",
    "an object of strings",
  );
  if (requiredMetadataValues === undefined && legacy !== undefined)
    requiredMetadataValues = Object.entries(legacy).map(([fieldName, value]) => ({ fieldName, value }));
  const holdout = structured(HoldoutDataField, one("holdoutData"), "holdoutData", "an object");
  const gitRaw = parseJsonField(one("gitModelVersion"), "gitModelVersion");
  const git = gitRaw === undefined ? undefined : GitModelVersionSchema.nullable().safeParse(gitRaw);
  if (git && !git.success) throw invalid("gitModelVersion", "gitModelVersion must be an object");
  const description = parseString(one("description"), "description");
  const resourceBundleId = parseString(one("resourceBundleId"), "resourceBundleId");
  return {
    clean,
    isMajorUpdate: parseBoolean(one("isMajorUpdate"), "isMajorUpdate"),
    uploads,
    filesToDelete,
    baseEnvironmentId: parseString(one("baseEnvironmentId"), "baseEnvironmentId") || undefined,
    baseEnvironmentVersionId:
      parseString(one("baseEnvironmentVersionId"), "baseEnvironmentVersionId") || undefined,
    networkEgressPolicy: parseEnum(
      one("networkEgressPolicy"),
      "networkEgressPolicy",
      NETWORK_EGRESS_POLICIES,
    ),
    maximumMemory: parseInteger(one("maximumMemory"), "maximumMemory", 1),
    replicas: parseInteger(one("replicas"), "replicas", 1),
    resourceBundleId: resourceBundleId === "" || resourceBundleId === "None" ? undefined : resourceBundleId,
    requiredMetadataValues,
    trainingData: structured(
      TrainingDataField,
      one("trainingData"),
      "trainingData",
      "an object with a datasetId",
    ),
    holdoutData: holdout && {
      datasetId: holdout.datasetId ?? undefined,
      partitionColumn: holdout.partitionColumn ?? undefined,
    },
    keepTrainingHoldoutData: parseBoolean(one("keepTrainingHoldoutData"), "keepTrainingHoldoutData"),
    runtimeParameterValues: parseJsonField(one("runtimeParameterValues"), "runtimeParameterValues"),
    gitModelVersion: git?.data,
    description: description ?? undefined,
  };
}

/** Reads either body form of POST/PATCH `versions/` (multipart with files, or TF's JSON form). */
async function readVersionRequest(
  ctx: EmulatorContext,
  req: FastifyRequest,
  reply: FastifyReply,
  clean: boolean,
  lease: BlobLease,
): Promise<VersionInput> {
  if (req.isMultipart()) {
    const budget = uploadBudget(ctx.config.maxUploadBytes);
    const parts = await readMultipart(req, reply, ctx.blobs, budget, lease);
    const { uploads, fields } = pairFiles(parts);
    return versionInput(fields, uploads, clean);
  }
  const body = jsonBody(req.body);
  return versionInput(
    Object.entries(body).map(([name, value]) => ({ name, value })),
    [],
    clean,
  );
}

/** Stores the version and starts its training-data assignment, in the request's transaction. */
function createVersion(ctx: EmulatorContext, modelId: string, input: VersionInput): VersionRecord {
  return ctx.tx(() => {
    const model = requireModel(ctx, modelId);
    const version = buildVersion(ctx, model, input);
    if (input.trainingData && version.trainingData && !startVersionTrainingAssignment(ctx, version.id)) {
      const trainingData = { ...version.trainingData, assignmentInProgress: false };
      setVersionTrainingData(ctx.db, version.id, { trainingData });
      return { ...version, trainingData };
    }
    return version;
  });
}

export function registerVersionRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const create = (clean: boolean) => async (req: FastifyRequest<ModelParams>, reply: FastifyReply) => {
    requireModel(ctx, req.params.modelId); // 404 before reading a large upload
    const lease = ctx.blobs.lease();
    try {
      const input = await readVersionRequest(ctx, req, reply, clean, lease);
      const version = createVersion(ctx, req.params.modelId, input);
      return reply.code(201).send(versionView(version));
    } catch (error) {
      // Nothing of a refused request stays behind: no rows (the transaction) and no files.
      lease.discard();
      throw error;
    }
  };
  app.post<ModelParams>("/customModels/:modelId/versions/", MULTIPART_ROUTE, create(true));
  app.patch<ModelParams>("/customModels/:modelId/versions/", MULTIPART_ROUTE, create(false));

  app.get<ModelParams>("/customModels/:modelId/versions/", (req) => {
    requireModel(ctx, req.params.modelId);
    const params = pageParams(req);
    const sha = searchParams(req).get("mainBranchCommitSha");
    const { records, total } = listVersionRecords(ctx.db, req.params.modelId, {
      ...params,
      ...(sha ? { mainBranchCommitSha: sha } : {}),
    });
    return page(req, ctx.baseUrl(req), params, records.map(versionView), total);
  });

  app.get<VersionParams>("/customModels/:modelId/versions/:versionId/", (req) =>
    versionView(requireModelVersion(ctx.db, req.params.modelId, req.params.versionId).version),
  );

  app.patch<VersionParams>("/customModels/:modelId/versions/:versionId/", (req) => {
    const body = jsonBody(req.body);
    return ctx.tx(() => {
      const { version } = requireModelVersion(ctx.db, req.params.modelId, req.params.versionId);
      const input = versionInput(
        Object.entries(body).map(([name, value]) => ({ name, value })),
        [],
        false,
      );
      const next: VersionRecord = { ...version };
      if (input.description !== undefined || body["description"] === null)
        next.description = input.description ?? "";
      if (input.gitModelVersion !== undefined) next.gitModelVersion = input.gitModelVersion;
      if (input.requiredMetadataValues !== undefined) {
        if (version.isFrozen)
          throw invalid(
            "requiredMetadataValues",
            `Custom model version ${version.id} is frozen; its requiredMetadataValues cannot change`,
          );
        const env = version.baseEnvironmentId
          ? getEnvironmentRecord(ctx.db, version.baseEnvironmentId)
          : undefined;
        const allowed = new Set((env?.requiredMetadataKeys ?? []).map((k) => k.fieldName));
        for (const r of input.requiredMetadataValues) {
          if (!allowed.has(r.fieldName))
            throw invalid(
              "requiredMetadataValues",
              `${r.fieldName} is not a required metadata key of the version's environment`,
            );
          if (r.value === "")
            throw invalid("requiredMetadataValues", `The value of ${r.fieldName} must not be empty`);
        }
        next.requiredMetadataValues = input.requiredMetadataValues;
      }
      saveVersionDoc(ctx.db, next);
      return versionView(next);
    });
  });

  app.get<VersionParams>("/customModels/:modelId/versions/:versionId/download/", (req, reply) => {
    const { version } = requireModelVersion(ctx.db, req.params.modelId, req.params.versionId);
    return sendItemsZip(reply, ctx.blobs, version.items, `${version.id}.zip`);
  });
}
