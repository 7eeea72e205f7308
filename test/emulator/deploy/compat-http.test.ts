/**
 * The call sequences of API.md §13.13 and §13.5 as the Python client (PY 2.25.1), the
 * custom-models GitHub action (CMA) and the Terraform provider (TF) send them, with what each needs back.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../../src/emulator/index.js";
import {
  builtPackage,
  getWithBody,
  ids,
  modelWithVersion,
  SERVABLE,
  start,
  type Api,
  type Json,
  type Reply,
} from "./harness.js";

let emu: RunningEmulator;
let api: Api;
beforeAll(async () => {
  ({ emu, api } = await start({ jobDurationMs: 0 }));
});
afterAll(() => emu.stop());

/** PY's wait_for_async_resolution: redirects off, only 200 and 303 are acceptable; returns the 303 URL. */
async function pyWait(location: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const reply = await api.get(location);
    expect([200, 303]).toContain(reply.status);
    const status = String((reply.body as Json).status);
    if (/^(error|abort)/i.test(status))
      throw new Error(`job ${status}: ${String((reply.body as Json).message)}`);
    if (reply.status === 303) return reply.headers.get("location") ?? "";
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("never finished");
}

/** PY's `list`: the first page, then every `next` exactly as given. */
async function pyListAll(path: string): Promise<Json[]> {
  const out: Json[] = [];
  let next: string | null = path;
  while (next !== null) {
    const page: Reply = await api.get(next);
    expect(page.status).toBe(200);
    out.push(...((page.body as Json).data as Json[]));
    next = (page.body as Json).next as string | null;
  }
  return out;
}

/** PY drops null-valued keys, then validates: required strings must survive (API.md §0.10). */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value as Json)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, withoutNulls(v)]),
  );
}

describe("PY 2.25.1 (API.md §13.13)", () => {
  it("Deployment.create_from_custom_model_version: package lookup, create when none, deploy, poll, get; then reuse", async () => {
    const { versionId, modelId } = await modelWithVersion(api, { name: "py model" });
    expect(await pyListAll(`modelPackages/?modelId=${versionId}`)).toEqual([]);
    const pkg = await api.post("modelPackages/fromCustomModelVersion/", { customModelVersionId: versionId });
    expect(pkg.status).toBeGreaterThanOrEqual(200);
    const packageId = (pkg.body as Json).id as string;
    const created = await api.post("deployments/fromModelPackage/", {
      modelPackageId: packageId,
      label: "py deployment",
      description: "from PY",
      defaultPredictionServerId: "5f0000000000000000000009",
    });
    const id = (created.body as Json).id as string;
    const target = await pyWait(created.headers.get("location") ?? "");
    expect(target.split("/").at(-2)).toBe(id);
    const d = withoutNulls((await api.get(`deployments/${id}/`)).body) as Json;
    const model = d.model as Json;
    expect(typeof model.id === "string" && model.id !== "").toBe(true);
    expect(typeof model.type).toBe("string");
    expect(typeof model.targetName).toBe("string");
    expect(d.defaultPredictionServer).toEqual({
      id: "5f0000000000000000000009",
      url: "",
      "datarobot-key": "",
    });
    expect(Object.values(d.capabilities as Json).every((v) => typeof v === "boolean")).toBe(true);
    expect((d.permissions as unknown[]).every((p) => typeof p === "string")).toBe(true);
    expect(d.predictionUsage).toEqual({ dailyRates: [] });

    // A second deployment of the same version reuses data[0] of the package list.
    const again = await pyListAll(`modelPackages/?modelId=${versionId}`);
    expect(again.map((p) => p.id)).toEqual([packageId]);
    // CustomModelVersion.get(...).is_frozen after a deployment; deployments_count; isDeployed.
    expect(((await api.get(`customModels/${modelId}/versions/${versionId}/`)).body as Json).isFrozen).toBe(
      true,
    );
    expect(((await api.get(`customModels/${modelId}/`)).body as Json).deploymentsCount).toBe(1);
    const deployedModels = await pyListAll("customModels/?customModelType=inference&isDeployed=True");
    expect(deployedModels.map((m) => m.id)).toContain(modelId);
    const idle = await pyListAll("customModels/?customModelType=inference&isDeployed=False");
    expect(idle.map((m) => m.id)).not.toContain(modelId);
    // CustomInferenceModel.delete() of a deployed model: 409 JSON that PY raises as ClientError.
    const del = await api.delete(`customModels/${modelId}/`);
    expect(del.status).toBe(409);
    expect(del.headers.get("content-type")).toBe("application/json");
  });

  it("Deployment.list with every filter, update, validate, replace_model with its settings follow-up, delete", async () => {
    const { modelId, versionId } = await modelWithVersion(api, { name: "py replace" });
    const pkg = await builtPackage(api, versionId);
    const created = await api.post("deployments/fromModelPackage/", {
      modelPackageId: pkg.id,
      label: "py list me",
    });
    const id = (created.body as Json).id as string;
    await pyWait(created.headers.get("location") ?? "");
    const listed = await pyListAll(
      "deployments/?orderBy=-label&search=py%20list&role=OWNER&serviceHealth=passing,unknown&modelHealth=unknown&accuracyHealth=unknown&executionEnvironmentType=datarobot&importance=LOW",
    );
    expect(listed.map((d) => d.id)).toEqual([id]);
    // .update(label, description): only non-empty values; any 2xx.
    const updated = await api.patch(`deployments/${id}/`, { label: "py renamed" });
    expect(updated.status).toBeLessThan(300);

    const next = await api.createVersion(modelId, SERVABLE);
    const validation = await api.post(`deployments/${id}/model/validation/`, { modelId: next.id });
    expect(validation.status).toBe(200);
    const { status, message, checks } = validation.body as Json;
    expect([status, typeof message, typeof checks]).toEqual(["passing", "string", "object"]);

    const replaced = await api.patch(`deployments/${id}/model/`, { modelId: next.id, reason: "ACCURACY" });
    const target = await pyWait(replaced.headers.get("location") ?? "");
    const fromUrl = target.split("/").at(-2) ?? "";
    expect(((await api.get(`deployments/${fromUrl}/`)).body as Json).model).toMatchObject({ id: next.id });
    const settings = (await api.get(`deployments/${id}/settings/`)).body as Json;
    const intervals = settings.predictionIntervals as Json;
    expect(Array.isArray(intervals.percentiles)).toBe(true);
    expect(settings.associationId).toMatchObject({ columnNames: [], requiredInPredictionRequests: false });
    for (const key of ["targetDrift", "featureDrift", "predictionsDataCollection", "predictionWarning"])
      expect(settings, key).toHaveProperty(key);
    // The update_* methods each PATCH one section and poll.
    for (const body of [
      { predictionIntervals: { enabled: false, percentiles: [] } },
      { targetDrift: { enabled: true }, featureDrift: { enabled: true } },
      { associationId: { columnNames: ["id"], requiredInPredictionRequests: true } },
      { predictionsDataCollection: { enabled: true } },
      { predictionWarning: { enabled: true, customBoundaries: null } },
    ]) {
      const reply = await api.patch(`deployments/${id}/settings/`, body);
      expect(reply.status).toBe(202);
      await pyWait(reply.headers.get("location") ?? "");
    }
    expect(((await api.get(`deployments/${id}/settings/`)).body as Json).associationId).toMatchObject({
      columnNames: ["id"],
      requiredInPredictionRequests: true,
    });
    expect((await api.delete(`deployments/${id}/`)).status).toBeLessThan(300);
  });

  it("create_from_learning_model / create_from_custom_model_image are not emulated: 404", async () => {
    expect((await api.post("deployments/fromLearningModel/", { modelId: "x", label: "y" })).status).toBe(404);
    expect((await api.post("modelPackages/fromCustomModelImage/", { customModelImageId: "x" })).status).toBe(
      404,
    );
  });
});

describe("CMA (API.md §13.5, §13.8, §13.9)", () => {
  /** CMA's exact-code checks and its habit of GETting every 303 target. */
  async function cmaWait(reply: Reply, code: number): Promise<Reply> {
    expect(reply.status).toBe(code);
    const location = reply.headers.get("location");
    expect(location).toMatch(/^http:\/\//);
    for (;;) {
      const s = await api.get(location ?? "");
      if (s.status === 303) return api.get(s.headers.get("location") ?? "");
      expect(s.status).toBe(200);
      expect((s.body as Json).status).not.toBe("ERROR");
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  it("deploys with registry, environment search, logs, settings twice; adds a challenger for the next version", async () => {
    const { modelId, versionId } = await modelWithVersion(api, {
      name: "cma model",
      userProvidedId: "acme/cma",
    });
    // model_registry: search, keep the exact match; none, so POST with registeredModelName.
    const search = (await api.get("registeredModels/?search=cma%20registry")).body as Json;
    expect((search.data as Json[]).filter((r) => r.name === "cma registry")).toEqual([]);
    const pkg = await cmaWait(
      await api.post("modelPackages/fromCustomModelVersion/", {
        customModelVersionId: versionId,
        registeredModelName: "cma registry",
      }),
      201,
    );
    expect(pkg.body).toMatchObject({ buildStatus: "complete", target: { name: "y" } });
    const registry = ((await api.get("registeredModels/?search=cma%20registry")).body as Json).data as Json[];
    const rm = registry.find((r) => r.name === "cma registry") as Json;
    expect(rm.description).toBe("");
    const patched = await api.patch(`registeredModels/${rm.id as string}/`, {
      description: "from CMA",
      isGlobal: true,
    });
    expect(patched.status).toBe(200);

    const env = (
      (await api.get("predictionEnvironments/?supportedModelFormats=customModel&search=Emulator Serverless"))
        .body as Json
    ).data as Json[];
    expect(env[0]?.name).toBe("Emulator Serverless");
    const deployment = await cmaWait(
      await api.post("deployments/fromModelPackage/", {
        userProvidedId: "acme/cma-deployment",
        modelPackageId: (pkg.body as Json).id,
        label: "y Predictions [GitHub CI/CD]",
        predictionEnvironmentId: env[0]?.id,
        importance: "MODERATE",
      }),
      202,
    );
    const id = (deployment.body as Json).id as string;
    const logs = await cmaWait(await api.post(`customModelDeployments/${id}/logs/`), 202);
    expect(logs.text).not.toMatch(/WARNING|ERROR/);
    for (let i = 0; i < 2; i++) {
      const after = await cmaWait(
        await api.patch(`deployments/${id}/settings/`, {
          challengerModels: { enabled: true },
          predictionsDataCollection: { enabled: true },
        }),
        202,
      );
      expect(after.body).toMatchObject({
        id,
        label: "y Predictions [GitHub CI/CD]",
        description: null,
        importance: "MODERATE",
      });
    }
    // Its comparison of description with the YAML: null when never set, PATCHed with null: 204.
    expect((await api.patch(`deployments/${id}/`, { description: null })).status).toBe(204);

    // The next commit: a new version, a new package, a challenger (CMA's default path).
    const v2 = await api.createVersion(modelId, { ...SERVABLE, "extra.py": "" });
    const versions = ((await api.get(`registeredModels/${rm.id as string}/versions/`)).body as Json)
      .data as Json[];
    expect(versions.some((v) => v.modelId === v2.id)).toBe(false);
    const pkg2 = await cmaWait(
      await api.post("modelPackages/fromCustomModelVersion/", {
        customModelVersionId: v2.id,
        registeredModelId: rm.id,
      }),
      201,
    );
    const validation = await api.post(`deployments/${id}/model/validation/`, {
      modelPackageId: (pkg2.body as Json).id,
    });
    expect(validation.status).toBe(200);
    expect((validation.body as Json).status).not.toBe("failing");
    const challenger = await cmaWait(
      await api.post(`deployments/${id}/challengers/`, {
        modelPackageId: (pkg2.body as Json).id,
        name: (pkg2.body as Json).name,
        predictionEnvironmentId: env[0]?.id,
      }),
      202,
    );
    expect(typeof (challenger.body as Json).id).toBe("string");
    const entries = ((await api.get(`deployments/${id}/challengers/`)).body as Json).data as Json[];
    expect(entries).toHaveLength(2);
    expect(entries.at(-1)?.model).toMatchObject({ id: v2.id });

    // Before deleting models that left the repo: customModelDeployments/ with a JSON body.
    const listed = await getWithBody(emu, "customModelDeployments/", { customModelIds: [modelId] });
    expect(
      (listed.data as Json[]).filter((d) => (d.customModel as Json).id === modelId).map((d) => d.id),
    ).toEqual([id]);
    // Its namespace scan of deployments/: no query, follow next, filter userProvidedId.
    const all = ids(await api.get("deployments/"));
    expect(all).toContain(id);
    expect((await api.delete(`deployments/${id}/`)).status).toBe(204);
    expect((await api.delete(`customModels/${modelId}/`)).status).toBe(204);
  });

  it("after a failed creation reads the deployment logs and prints them", async () => {
    const { versionId } = await modelWithVersion(api, {}, { "model.txt": "" });
    const pkg = await builtPackage(api, versionId);
    const reply = await api.post("deployments/fromModelPackage/", { modelPackageId: pkg.id, label: "x" });
    expect(reply.status).toBe(202);
    const status = await api.waitForStatus(reply.headers.get("location") ?? "");
    expect((status.body as Json).status).toBe("ERROR");
    const log = await api.get(`customModelDeployments/${(reply.body as Json).id as string}/logs/`);
    expect(log.status).toBe(200);
    expect(log.text).toMatch(/^ERROR: /);
  });
});

describe("TF (API.md §13.2, §13.5, §13.7, §13.10)", () => {
  const bearer = (): Record<string, string> => ({ Authorization: `Bearer ${emu.token}` });
  const tfCall = async (method: string, path: string, body: unknown): Promise<Reply> => {
    const res = await fetch(`${emu.url}/${path}`, {
      method,
      redirect: "manual",
      headers: { ...bearer(), "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      text,
      body: text === "" ? undefined : (JSON.parse(text) as unknown),
    };
  };
  /** TF reads the status id as `/`-segment 6 of Location and polls status/{id}/, taking a redirect as done. */
  const tfWait = async (reply: Reply): Promise<void> => {
    const statusId = (reply.headers.get("location") ?? "").split("/")[6] ?? "";
    for (;;) {
      const s = await statusOf(`status/${statusId}/`);
      if (s >= 300 && s < 400) return;
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const statusOf = async (path: string): Promise<number> =>
    (await fetch(`${emu.url}/${path}`, { headers: bearer(), redirect: "manual" })).status;

  it("registers, deploys, waits for active, validates, replaces, toggles status, updates and deletes", async () => {
    const { modelId, versionId } = await modelWithVersion(api, { name: "tf model" });
    const env = await tfCall("POST", "predictionEnvironments/", {
      name: "tf env",
      platform: "aws",
      managedBy: "selfManaged",
    });
    expect(env.status).toBe(201);
    const envId = (env.body as Json).id as string;
    const pkg = await tfCall("POST", "modelPackages/fromCustomModelVersion/", {
      customModelVersionId: versionId,
      registeredModelName: "tf registry",
      name: "tf registry (v1)",
    });
    const { id: packageId, registeredModelId } = pkg.body as Json;
    const versionPath = `registeredModels/${registeredModelId as string}/versions/${packageId as string}/`;
    for (;;) {
      const v = await getWithBody(emu, versionPath, null);
      if (v.buildStatus === "complete") break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const rm = await getWithBody(emu, `registeredModels/${registeredModelId as string}/`, null);
    expect(rm.lastVersionNum).toBe(1);
    const taken = await tfCall("POST", "modelPackages/fromCustomModelVersion/", {
      customModelVersionId: versionId,
      registeredModelName: "tf registry",
    });
    expect((taken.body as Json).message).toContain("already in use");

    const created = await tfCall("POST", "deployments/fromModelPackage/", {
      modelPackageId: packageId,
      predictionEnvironmentId: envId,
      label: "tf deployment",
      importance: "LOW",
    });
    expect(created.status).toBeLessThan(300);
    const id = (created.body as Json).id as string;
    await tfWait(created);
    const d = await getWithBody(emu, `deployments/${id}/`, null);
    expect(d.status).toBe("active");
    expect(d.model).toMatchObject({
      id: versionId,
      type: "tf model",
      targetName: "y",
      targetType: "Regression",
    });
    expect(d.predictionEnvironment).toMatchObject({ id: envId, platform: "aws", managedBy: "selfManaged" });
    expect(
      (await tfCall("PATCH", `deployments/${id}/settings/`, { featureDrift: { enabled: true } })).status,
    ).toBe(202);
    // TF never changes target fields of a deployed model; the emulator refuses when someone does.
    expect(((await getWithBody(emu, `customModels/${modelId}/`, null)).deploymentsCount as number) > 0).toBe(
      true,
    );

    const v2 = await api.createVersion(modelId, SERVABLE);
    const pkg2 = await tfCall("POST", "modelPackages/fromCustomModelVersion/", {
      customModelVersionId: v2.id,
      registeredModelId,
      name: "tf registry (v2)",
    });
    const pkg2Id = (pkg2.body as Json).id as string;
    await tfWait(pkg2);
    const validation = await tfCall("POST", `deployments/${id}/model/validation/`, {
      modelPackageId: pkg2Id,
    });
    expect((validation.body as Json).status).toBe("passing");
    const replaced = await tfCall("PATCH", `deployments/${id}/model/`, {
      modelPackageId: pkg2Id,
      reason: "OTHER",
    });
    expect(replaced.status).toBe(202);
    await tfWait(replaced);
    const after = await getWithBody(emu, `deployments/${id}/`, null);
    expect(after).toMatchObject({ status: "active", modelPackage: { id: pkg2Id } });

    for (const status of ["inactive", "active"]) {
      const reply = await tfCall("PATCH", `deployments/${id}/status/`, { status });
      await tfWait(reply);
      expect((await getWithBody(emu, `deployments/${id}/`, null)).status).toBe(status);
    }
    expect(
      (await tfCall("PATCH", `deployments/${id}/`, { label: "tf renamed", importance: "HIGH" })).status,
    ).toBe(204);
    const refused = await tfCall("DELETE", `customModels/${modelId}/`, null);
    expect(refused.status).toBe(409);
    expect((refused.body as Json).message).toContain("existing deployments");
    expect((await tfCall("DELETE", `deployments/${id}/`, null)).status).toBe(204);
    // TF polls GET until 404: the deletion is immediate here.
    expect(await statusOf(`deployments/${id}/`)).toBe(404);
    expect((await tfCall("DELETE", `registeredModels/${registeredModelId as string}/`, null)).status).toBe(
      204,
    );
    expect((await tfCall("PATCH", `predictionEnvironments/${envId}/`, { description: "x" })).status).toBe(
      200,
    );
    expect((await tfCall("DELETE", `predictionEnvironments/${envId}/`, null)).status).toBe(204);
    expect((await tfCall("DELETE", `customModels/${modelId}/`, null)).status).toBe(204);
  });
});
