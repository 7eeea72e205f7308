import { request } from "node:http";
import { expect } from "vitest";
import type { RunningEmulator } from "../../../src/emulator/index.js";
import { BUILTIN_PREDICTION_ENVIRONMENT } from "../../../src/emulator/routes/prediction-environments.js";
import type { Api, Json, Reply } from "../jobs/harness.js";

export { start, tempDir, writeTemp, type Api, type Json, type Reply } from "../jobs/harness.js";

export const SEEDED_PREDICTION_ENV_ID = BUILTIN_PREDICTION_ENVIRONMENT.id;

/** The files of a version that can serve: a top-level entry point. */
export const SERVABLE = { "custom.py": "def score(data, model, **kw):\n    return data\n" };

/** `status/<id>/` below `/api/v2/` from an absolute Location, checking its shape (API.md §0.1). */
export function statusPath(reply: Reply): string {
  const location = reply.headers.get("location") ?? "";
  expect(location).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v2\/status\/[0-9a-f-]{36}\/$/);
  return location;
}

/** Waits for a kick-off's job and expects the 303; returns its Location. */
export async function finished(api: Api, kickOff: Reply): Promise<string> {
  const done = await api.waitForStatus(statusPath(kickOff));
  expect(done.status, done.text).toBe(303);
  return done.headers.get("location") ?? "";
}

/** A custom model with one version; `files` default to a servable version. */
export async function modelWithVersion(
  api: Api,
  fields: Json = {},
  files: Record<string, string> = SERVABLE,
): Promise<{ model: Json; version: Json; modelId: string; versionId: string }> {
  const model = await api.createModel(fields);
  const version = await api.createVersion(model.id as string, files);
  return { model, version, modelId: model.id as string, versionId: version.id as string };
}

/** POST modelPackages/fromCustomModelVersion/ (201) and wait for the build. */
export async function builtPackage(api: Api, versionId: string, fields: Json = {}): Promise<Json> {
  const reply = await api.post("modelPackages/fromCustomModelVersion/", {
    customModelVersionId: versionId,
    ...fields,
  });
  expect(reply.status, reply.text).toBe(201);
  await finished(api, reply);
  return (await api.get(`modelPackages/${(reply.body as Json).id as string}/`)).body as Json;
}

/** A package deployed and waited for; returns the deployment as GET shows it. */
export async function deployed(api: Api, packageId: string, fields: Json = {}): Promise<Json> {
  const reply = await api.post("deployments/fromModelPackage/", {
    modelPackageId: packageId,
    label: "dep",
    ...fields,
  });
  expect(reply.status, reply.text).toBe(202);
  const target = await finished(api, reply);
  return (await api.get(target)).body as Json;
}

/** A model, its version, a package and a deployment of it. */
export async function deployedModel(
  api: Api,
  modelFields: Json = {},
  deploymentFields: Json = {},
): Promise<{
  modelId: string;
  versionId: string;
  packageId: string;
  deployment: Json;
  deploymentId: string;
}> {
  const { modelId, versionId } = await modelWithVersion(api, modelFields);
  const pkg = await builtPackage(api, versionId);
  const deployment = await deployed(api, pkg.id as string, deploymentFields);
  return {
    modelId,
    versionId,
    packageId: pkg.id as string,
    deployment,
    deploymentId: deployment.id as string,
  };
}

export const ids = (page: Reply): string[] => ((page.body as Json).data as Json[]).map((x) => x.id as string);

/** A GET carrying a JSON body, as CMA sends (fetch refuses to); expects 200 and returns the JSON. */
export function getWithBody(emu: RunningEmulator, path: string, body: unknown): Promise<Json> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${emu.url}/${path}`,
      {
        method: "GET",
        headers: {
          Authorization: `Token ${emu.token}`,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(payload),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          if (res.statusCode !== 200) reject(new Error(`GET ${path} -> ${res.statusCode}: ${text}`));
          else resolve(JSON.parse(text) as Json);
        });
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}
