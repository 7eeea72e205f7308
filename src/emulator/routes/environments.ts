import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { uploadBudget } from "../blobs.js";
import type { EmulatorContext } from "../context.js";
import { conflict, HttpError, invalid, notFound } from "../http/errors.js";
import { MULTIPART_ROUTE, readMultipart } from "../http/multipart.js";
import { page, pageParams, searchParams, type PageLimits } from "../http/pagination.js";
import { jsonBody, parseBoolean, parseEnum, parseString } from "../http/values.js";
import { settleBuilds, startEnvironmentBuild } from "./environment-builds.js";
import type { EnvironmentRecord, EnvironmentVersionRecord, StoredFile } from "../store/environments.js";
import {
  BUILD_STATUSES,
  countEnvironmentVersions,
  deleteEnvironmentRecord,
  getEnvironmentRecord,
  getEnvironmentVersionRecord,
  insertEnvironmentRecord,
  insertEnvironmentVersionRecord,
  latestEnvironmentVersion,
  listEnvironmentRecords,
  listEnvironmentVersionRecords,
  PROGRAMMING_LANGUAGES,
  RequiredMetadataKeySchema,
  saveEnvironmentRecord,
  USE_CASES,
} from "../store/environments.js";
import { environmentInUse } from "../store/versions.js";

/** PY's documented default page of 20; at most 100 (API.md §0.5). */
const ENV_LIMITS: PageLimits = { defaultLimit: 20, maxLimit: 100 };
const BUILTIN_REFUSED = "Built-in execution environments cannot be modified";

type EnvParams = { Params: { environmentId: string } };
type EnvVersionParams = { Params: { environmentId: string; environmentVersionId: string } };

export function environmentVersionView(v: EnvironmentVersionRecord): Record<string, unknown> {
  return {
    id: v.id,
    environmentId: v.environmentId,
    buildStatus: v.buildStatus,
    imageId: v.imageId,
    label: v.label,
    description: v.description,
    created: v.created,
    dockerContextSize: v.dockerContext?.size ?? null,
    dockerImageSize: v.dockerImage?.size ?? null,
    sourceDockerImageUri: v.sourceDockerImageUri,
  };
}

export function environmentView(ctx: EmulatorContext, e: EnvironmentRecord): Record<string, unknown> {
  const latest = latestEnvironmentVersion(ctx.db, e.id);
  const latestOk = latestEnvironmentVersion(ctx.db, e.id, true);
  return {
    id: e.id,
    name: e.name,
    description: e.description,
    programmingLanguage: e.programmingLanguage,
    isPublic: e.isPublic,
    created: e.created,
    latestVersion: latest ? environmentVersionView(latest) : null,
    latestSuccessfulVersion: latestOk ? environmentVersionView(latestOk) : null,
    requiredMetadataKeys: e.requiredMetadataKeys.map((k) => ({
      fieldName: k.fieldName,
      displayName: k.displayName,
    })),
    useCases: e.useCases,
    username: ctx.config.username,
  };
}

// Lengths are checked for every request body in one place (http/text-limits.ts).
function parseName(value: unknown): string {
  const name = parseString(value, "name");
  if (!name) throw invalid("name", "name is required and must be 1-255 characters");
  return name;
}

const parseDescription = (value: unknown): string => parseString(value, "description") ?? "";

function parseUseCases(value: unknown): string[] {
  const parsed = z.array(z.enum(USE_CASES)).safeParse(value);
  if (!parsed.success) throw invalid("useCases", `useCases must be a list of ${USE_CASES.join(", ")}`);
  return parsed.data;
}

function parseMetadataKeys(value: unknown): EnvironmentRecord["requiredMetadataKeys"] {
  const parsed = z.array(RequiredMetadataKeySchema).safeParse(value);
  if (!parsed.success)
    throw invalid("requiredMetadataKeys", "requiredMetadataKeys must be a list of {fieldName, displayName}");
  return parsed.data;
}

/** Creates an environment from a create body (route and seed file). */
export function createEnvironment(
  ctx: EmulatorContext,
  body: Record<string, unknown>,
  options: { id?: string; builtin?: boolean } = {},
): EnvironmentRecord {
  const record: EnvironmentRecord = {
    id: options.id ?? ctx.newId(),
    name: parseName(body["name"]),
    description: parseDescription(body["description"]),
    programmingLanguage:
      parseEnum(body["programmingLanguage"], "programmingLanguage", PROGRAMMING_LANGUAGES) ?? "other",
    isPublic: parseBoolean(body["isPublic"], "isPublic") ?? options.builtin ?? false,
    useCases: body["useCases"] == null ? ["customModel"] : parseUseCases(body["useCases"]),
    requiredMetadataKeys:
      body["requiredMetadataKeys"] == null ? [] : parseMetadataKeys(body["requiredMetadataKeys"]),
    builtin: options.builtin ?? false,
    created: ctx.now(),
  };
  insertEnvironmentRecord(ctx.db, record);
  return record;
}

/** Stores a new environment version as `submitted` (the caller starts or fakes the build). */
export function insertEnvironmentVersion(
  ctx: EmulatorContext,
  environmentId: string,
  fields: {
    label?: string | undefined;
    description?: string | undefined;
    dockerContext?: StoredFile | null;
    dockerImage?: StoredFile | null;
    sourceDockerImageUri?: string | null;
    id?: string;
  },
): EnvironmentVersionRecord {
  const label = fields.label || `v${countEnvironmentVersions(ctx.db, environmentId) + 1}`;
  const record: EnvironmentVersionRecord = {
    id: fields.id ?? ctx.newId(),
    environmentId,
    buildStatus: "submitted",
    created: ctx.now(),
    label,
    description: parseDescription(fields.description),
    // PY requires a non-empty imageId from creation on (API.md §4.2).
    imageId: ctx.newId(),
    dockerContext: fields.dockerContext ?? null,
    dockerImage: fields.dockerImage ?? null,
    sourceDockerImageUri: fields.sourceDockerImageUri ?? null,
    buildLog: "",
    buildError: "",
  };
  insertEnvironmentVersionRecord(ctx.db, record);
  return record;
}

export function registerEnvironmentRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const requireEnv = (id: string): EnvironmentRecord => {
    const e = getEnvironmentRecord(ctx.db, id);
    if (!e) throw notFound(`Execution environment ${id} not found`);
    return e;
  };
  const requireEnvVersion = (envId: string, versionId: string): EnvironmentVersionRecord => {
    requireEnv(envId);
    const v = getEnvironmentVersionRecord(ctx.db, versionId);
    if (!v || v.environmentId !== envId)
      throw notFound(`Execution environment version ${versionId} not found`);
    return v;
  };
  const requireMutable = (id: string): EnvironmentRecord => {
    const e = requireEnv(id);
    if (e.builtin) throw new HttpError(403, BUILTIN_REFUSED);
    return e;
  };

  app.get("/executionEnvironments/", async (req) => {
    await settleBuilds(ctx);
    const q = searchParams(req);
    const params = pageParams(req, ENV_LIMITS);
    const isOwn = parseBoolean(q.get("isOwn") ?? undefined, "isOwn");
    const { records, total } = listEnvironmentRecords(ctx.db, {
      ...params,
      ...(q.get("searchFor") ? { searchFor: q.get("searchFor") ?? "" } : {}),
      ...(isOwn !== undefined ? { isOwn } : {}),
      ...(q.get("useCases") ? { useCases: q.get("useCases") ?? "" } : {}),
    });
    return page(
      req,
      ctx.baseUrl(req),
      params,
      records.map((e) => environmentView(ctx, e)),
      total,
    );
  });

  app.post("/executionEnvironments/", (req, reply) => {
    const body = jsonBody(req.body);
    const e = ctx.tx(() => createEnvironment(ctx, body));
    return reply.code(201).send(environmentView(ctx, e));
  });

  app.get<EnvParams>("/executionEnvironments/:environmentId/", async (req) => {
    await settleBuilds(ctx, req.params.environmentId);
    return environmentView(ctx, requireEnv(req.params.environmentId));
  });

  app.patch<EnvParams>("/executionEnvironments/:environmentId/", (req) => {
    const body = jsonBody(req.body);
    return ctx.tx(() => {
      const e = { ...requireMutable(req.params.environmentId) };
      if (Object.hasOwn(body, "name")) e.name = parseName(body["name"]);
      if (Object.hasOwn(body, "description")) e.description = parseDescription(body["description"]);
      if (Object.hasOwn(body, "isPublic")) e.isPublic = parseBoolean(body["isPublic"], "isPublic") ?? false;
      if (Object.hasOwn(body, "useCases"))
        e.useCases = body["useCases"] === null ? ["customModel"] : parseUseCases(body["useCases"]);
      if (Object.hasOwn(body, "requiredMetadataKeys"))
        e.requiredMetadataKeys =
          body["requiredMetadataKeys"] === null ? [] : parseMetadataKeys(body["requiredMetadataKeys"]);
      saveEnvironmentRecord(ctx.db, e);
      return environmentView(ctx, e);
    });
  });

  app.delete<EnvParams>("/executionEnvironments/:environmentId/", (req, reply) => {
    ctx.tx(() => {
      const e = requireMutable(req.params.environmentId);
      if (environmentInUse(ctx.db, e.id))
        throw conflict(`Execution environment ${e.id} is in use by custom model versions`);
      deleteEnvironmentRecord(ctx.db, e.id);
    });
    return reply.code(204).send();
  });

  app.get<EnvParams>("/executionEnvironments/:environmentId/accessControl/", (req) => {
    requireEnv(req.params.environmentId);
    const params = pageParams(req);
    const entry = {
      username: ctx.config.username,
      userId: "000000000000000000000001",
      role: "OWNER",
      canShare: true,
      canUseData: true,
    };
    return page(req, ctx.baseUrl(req), params, params.offset === 0 ? [entry] : [], 1);
  });

  app.patch<EnvParams>("/executionEnvironments/:environmentId/accessControl/", (req, reply) => {
    requireEnv(req.params.environmentId);
    return reply.code(204).send();
  });

  app.post<EnvParams>(
    "/executionEnvironments/:environmentId/versions/",
    MULTIPART_ROUTE,
    async (req, reply) => {
      requireEnv(req.params.environmentId); // 404 before reading the upload
      const fields: Record<string, string> = {};
      let dockerContext: StoredFile | null = null;
      let dockerImage: StoredFile | null = null;
      const lease = ctx.blobs.lease();
      if (req.isMultipart()) {
        const budget = uploadBudget(ctx.config.maxUploadBytes);
        const parts = await readMultipart(req, reply, ctx.blobs, budget, lease).catch((error: unknown) => {
          lease.discard();
          throw error;
        });
        for (const p of parts) {
          if (p.kind === "field") fields[p.name] ??= p.value;
          else if (p.name === "docker_context") dockerContext = { ...p.blob, fileName: p.filename };
          else if (p.name === "docker_image") dockerImage = { ...p.blob, fileName: p.filename };
        }
      } else {
        for (const [k, v] of Object.entries(jsonBody(req.body))) if (typeof v === "string") fields[k] = v;
      }
      const uri = fields["dockerImageUri"] || null;
      const store = (): EnvironmentVersionRecord => {
        if (!uri && !dockerContext && !dockerImage)
          throw invalid(
            "docker_context",
            "One of docker_context, docker_image or dockerImageUri is required",
          );
        return insertVersionAndBuild();
      };
      const insertVersionAndBuild = (): EnvironmentVersionRecord =>
        ctx.tx(() => {
          requireEnv(req.params.environmentId);
          const v = insertEnvironmentVersion(ctx, req.params.environmentId, {
            label: fields["label"],
            description: fields["description"],
            // dockerImageUri takes priority over the uploaded files (API.md §4.2).
            dockerContext: uri ? null : dockerContext,
            dockerImage: uri ? null : dockerImage,
            sourceDockerImageUri: uri,
          });
          startEnvironmentBuild(ctx, v.id);
          return v;
        });
      let version: EnvironmentVersionRecord;
      try {
        version = store();
      } catch (error) {
        lease.discard();
        throw error;
      }
      return reply.code(202).send(environmentVersionView(version));
    },
  );

  app.get<EnvParams>("/executionEnvironments/:environmentId/versions/", async (req) => {
    requireEnv(req.params.environmentId);
    await settleBuilds(ctx, req.params.environmentId);
    const params = pageParams(req);
    const status = parseEnum(
      searchParams(req).get("buildStatus") ?? undefined,
      "buildStatus",
      BUILD_STATUSES,
    );
    const { records, total } = listEnvironmentVersionRecords(ctx.db, req.params.environmentId, {
      ...params,
      ...(status ? { buildStatus: status } : {}),
    });
    return page(req, ctx.baseUrl(req), params, records.map(environmentVersionView), total);
  });

  app.get<EnvVersionParams>(
    "/executionEnvironments/:environmentId/versions/:environmentVersionId/",
    async (req) => {
      await settleBuilds(ctx, req.params.environmentId);
      return environmentVersionView(
        requireEnvVersion(req.params.environmentId, req.params.environmentVersionId),
      );
    },
  );

  app.get<EnvVersionParams>(
    "/executionEnvironments/:environmentId/versions/:environmentVersionId/download/",
    (req, reply) => {
      const v = requireEnvVersion(req.params.environmentId, req.params.environmentVersionId);
      const file = v.dockerContext ?? v.dockerImage;
      if (!file || !ctx.blobs.has(file.sha256)) throw notFound("Docker context not found");
      return reply
        .header("content-type", "application/octet-stream")
        .header("content-disposition", `attachment; filename="${file.fileName || "context"}"`)
        .send(ctx.blobs.open(file.sha256));
    },
  );

  app.get<EnvVersionParams>(
    "/executionEnvironments/:environmentId/versions/:environmentVersionId/buildLog/",
    async (req) => {
      await settleBuilds(ctx, req.params.environmentId);
      const v = requireEnvVersion(req.params.environmentId, req.params.environmentVersionId);
      return { log: v.buildLog, error: v.buildError };
    },
  );
}
