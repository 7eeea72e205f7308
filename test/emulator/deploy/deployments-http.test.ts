import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../../src/emulator/index.js";
import {
  builtPackage,
  deployed,
  deployedModel,
  finished,
  ids,
  modelWithVersion,
  SEEDED_PREDICTION_ENV_ID,
  start,
  statusPath,
  getWithBody,
  type Api,
  type Json,
} from "./harness.js";
import { BUILTIN_ENV_ID } from "../jobs/harness.js";

let emu: RunningEmulator;
let api: Api;
beforeAll(async () => {
  ({ emu, api } = await start({ jobDurationMs: 0 }));
});
afterAll(() => emu.stop());

describe("creating a deployment (API.md §13.5)", () => {
  it("answers 202 {id} + Location; the job ends with a 303 to the deployment, now active", async () => {
    const { modelId, versionId } = await modelWithVersion(api, { name: "scorer" });
    const pkg = await builtPackage(api, versionId);
    const reply = await api.post("deployments/fromModelPackage/", {
      modelPackageId: pkg.id,
      label: "Scorer prod",
    });
    expect(reply.status).toBe(202);
    const id = (reply.body as Json).id as string;
    expect(reply.body).toEqual({ id });
    const status = await api.get(statusPath(reply));
    expect(status.status).toBe(303);
    expect((status.body as Json).type).toBe("DeploymentCreation");
    expect(status.headers.get("location")).toBe(`${emu.url}/deployments/${id}/`);
    const d = (await api.get(`deployments/${id}/`)).body as Json;
    expect(d).toEqual({
      id,
      label: "Scorer prod",
      description: null,
      importance: "LOW",
      status: "active",
      userProvidedId: null,
      model: {
        id: versionId,
        type: "scorer",
        targetName: "y",
        targetType: "Regression",
        projectId: null,
        customModelImage: {
          customModelId: modelId,
          customModelVersionId: versionId,
          customModelName: "scorer",
          customModelVersionLabel: "1.0",
          executionEnvironmentId: BUILTIN_ENV_ID,
          executionEnvironmentVersionId: expect.any(String) as unknown,
        },
      },
      modelPackage: { id: pkg.id, name: "scorer", registeredModelId: null },
      predictionEnvironment: {
        id: SEEDED_PREDICTION_ENV_ID,
        name: "Emulator Serverless",
        description: "Built-in prediction environment of the emulator",
        platform: "datarobotServerless",
        managedBy: "datarobot",
        isManagedByManagementAgent: true,
      },
      defaultPredictionServer: null,
      capabilities: {
        supportsDriftTracking: true,
        supportsModelReplacement: true,
        supportsChallengerModels: true,
      },
      predictionUsage: { dailyRates: [], lastTimestamp: null },
      permissions: ["CAN_VIEW", "CAN_UPDATE", "CAN_DELETE", "CAN_REPLACE_MODEL", "CAN_SHARE"],
      serviceHealth: { status: "unknown", message: "", startDate: null, endDate: null },
      modelHealth: { status: "unknown", message: "", startDate: null, endDate: null },
      accuracyHealth: { status: "unknown", message: "", startDate: null, endDate: null },
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/) as unknown,
      createdBy: "emulator@example.com",
    });
  });

  it("is launching until its job ends, and waits for a package still building", async () => {
    const slow = await start({ jobDurationMs: 300 });
    try {
      const { versionId } = await modelWithVersion(slow.api);
      const pkg = await slow.api.post("modelPackages/fromCustomModelVersion/", {
        customModelVersionId: versionId,
      });
      // PY deploys at once, without waiting for the package.
      const reply = await slow.api.post("deployments/fromModelPackage/", {
        modelPackageId: (pkg.body as Json).id,
        label: "early",
      });
      const path = `deployments/${(reply.body as Json).id as string}/`;
      expect(((await slow.api.get(path)).body as Json).status).toBe("launching");
      expect(((await slow.api.get(statusPath(reply))).body as Json).status).toBe("RUNNING");
      await finished(slow.api, reply);
      expect(((await slow.api.get(path)).body as Json).status).toBe("active");
      const built = await slow.api.get(`modelPackages/${(pkg.body as Json).id as string}/`);
      expect((built.body as Json).buildStatus).toBe("complete");
    } finally {
      await slow.emu.stop();
    }
  });

  it("stores the optional fields: environment, importance, userProvidedId, defaultPredictionServerId", async () => {
    const env = (await api.post("predictionEnvironments/", { name: "edge", platform: "other" })).body as Json;
    const { deployment } = await deployedModel(
      api,
      {},
      {
        label: "all fields",
        description: "with everything",
        predictionEnvironmentId: env.id,
        importance: "CRITICAL",
        userProvidedId: "acme/all-fields",
        defaultPredictionServerId: "5f0000000000000000000001",
        runtimeParameterValues: "[]",
        additionalMetadata: [{ key: "a", value: "b" }],
      },
    );
    expect(deployment).toMatchObject({
      description: "with everything",
      importance: "CRITICAL",
      userProvidedId: "acme/all-fields",
      predictionEnvironment: { id: env.id, name: "edge" },
      defaultPredictionServer: { id: "5f0000000000000000000001", url: "", "datarobot-key": "" },
    });
  });

  it("refuses bad bodies with 422 naming the field, and a duplicate userProvidedId", async () => {
    const { versionId } = await modelWithVersion(api);
    const pkg = await builtPackage(api, versionId);
    const cases: [Json, string][] = [
      [{ label: "x" }, "modelPackageId"],
      [{ label: "x", modelPackageId: "0123456789abcdef01234567" }, "modelPackageId"],
      [{ modelPackageId: pkg.id }, "label"],
      [{ modelPackageId: pkg.id, label: "" }, "label"],
      [{ modelPackageId: pkg.id, label: "x", importance: "URGENT" }, "importance"],
      [
        { modelPackageId: pkg.id, label: "x", predictionEnvironmentId: "0123456789abcdef01234567" },
        "predictionEnvironmentId",
      ],
    ];
    for (const [body, field] of cases) {
      const reply = await api.post("deployments/fromModelPackage/", body);
      expect(reply.status, JSON.stringify(body)).toBe(422);
      expect(Object.keys((reply.body as Json).errors as Json)).toEqual([field]);
    }
    await deployed(api, pkg.id as string, { userProvidedId: "acme/dup" });
    const dup = await api.post("deployments/fromModelPackage/", {
      modelPackageId: pkg.id,
      label: "x",
      userProvidedId: "acme/dup",
    });
    expect(dup.status).toBe(422);
    expect((dup.body as Json).message).toBe(
      "Cannot create a deployment with a user provided ID (acme/dup) that equals to an already existing one.",
    );
    const malformed = await fetch(`${emu.url}/deployments/fromModelPackage/`, {
      method: "POST",
      headers: { Authorization: `Token ${emu.token}`, "content-type": "application/json" },
      body: "{not json",
    });
    expect(malformed.status).toBe(400);
  });

  it("ends ERROR with the reason and leaves an errored deployment whose logs say ERROR, for a version without entry point", async () => {
    const { modelId, versionId } = await modelWithVersion(api, {}, { "README.md": "no code" });
    const pkg = await builtPackage(api, versionId);
    const reply = await api.post("deployments/fromModelPackage/", {
      modelPackageId: pkg.id,
      label: "broken",
    });
    expect(reply.status).toBe(202);
    const id = (reply.body as Json).id as string;
    const status = await api.waitForStatus(statusPath(reply));
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ status: "ERROR", code: 1 });
    expect((status.body as Json).message).toMatch(new RegExp(`^Deployment ${id} failed: No entry point`));
    expect(((await api.get(`deployments/${id}/`)).body as Json).status).toBe("errored");
    const log = await api.get(`customModelDeployments/${id}/logs/`);
    expect(log.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(log.text).toMatch(/^ERROR: No entry point/);
    // Errored deployments count (§13.10).
    expect(((await api.get(`customModels/${modelId}/`)).body as Json).deploymentsCount).toBe(1);
  });

  it("is not offered from learning models or leaderboards: 404, not 405", async () => {
    for (const path of ["deployments/fromLearningModel/", "deployments/fromLeaderboard/"]) {
      expect((await api.post(path, {})).status, path).toBe(404);
    }
    const { deploymentId } = await deployedModel(api);
    expect((await api.get(`deployments/${deploymentId}/runtimeParameters/`)).status).toBe(404);
    expect((await api.get(`deployments/${deploymentId}/serviceStats/`)).status).toBe(404);
  });
});

describe("listing deployments (API.md §13.6)", () => {
  let fresh: { emu: RunningEmulator; api: Api };
  const made: Record<string, string> = {};
  beforeAll(async () => {
    fresh = await start({ jobDurationMs: 0 });
    const { versionId } = await modelWithVersion(fresh.api);
    const pkg = await builtPackage(fresh.api, versionId);
    for (const [label, importance, description] of [
      ["beta", "HIGH", "second"],
      ["Alpha", "LOW", null],
      ["gamma", "MODERATE", "the ALPHA backup"],
    ] as const) {
      const d = await deployed(fresh.api, pkg.id as string, {
        label,
        importance,
        ...(description ? { description } : {}),
      });
      made[label] = d.id as string;
    }
  });
  afterAll(() => fresh.emu.stop());

  const list = async (query: string): Promise<string[]> => {
    const reply = await fresh.api.get(`deployments/${query}`);
    expect(reply.status, reply.text).toBe(200);
    return ids(reply);
  };

  it("orders by label (any case) by default, -label reversed, health orders as label", async () => {
    expect(await list("")).toEqual([made.Alpha, made.beta, made.gamma]);
    expect(await list("?orderBy=-label")).toEqual([made.gamma, made.beta, made.Alpha]);
    expect(await list("?orderBy=-serviceHealth")).toEqual([made.Alpha, made.beta, made.gamma]);
    expect((await fresh.api.get("deployments/?orderBy=created")).status).toBe(422);
  });

  it("searches label and description, filters importance (comma = OR), and the all-or-nothing filters", async () => {
    expect(await list("?search=alpha")).toEqual([made.Alpha, made.gamma]);
    expect(await list("?importance=HIGH,LOW")).toEqual([made.Alpha, made.beta]);
    expect(
      await list("?role=OWNER&serviceHealth=passing,unknown&executionEnvironmentType=datarobot"),
    ).toHaveLength(3);
    expect(await list("?role=USER")).toEqual([]);
    expect(await list("?modelHealth=failing")).toEqual([]);
    expect(await list("?accuracyHealth=warning")).toEqual([]);
    expect(await list("?executionEnvironmentType=external")).toEqual([]);
    for (const bad of [
      "importance=URGENT",
      "role=ADMIN",
      "serviceHealth=green",
      "executionEnvironmentType=k8s",
    ])
      expect((await fresh.api.get(`deployments/?${bad}`)).status, bad).toBe(422);
  });

  it("pages with next repeating every query parameter", async () => {
    const first = await fresh.api.get("deployments/?search=a&orderBy=-label&limit=2");
    const body = first.body as Json;
    expect(body).toMatchObject({ count: 2, totalCount: 3, previous: null });
    expect(body.next).toBe(`${fresh.emu.url}/deployments/?search=a&orderBy=-label&limit=2&offset=2`);
    const second = await fresh.api.get(body.next as string);
    expect(ids(second)).toEqual([made.Alpha]);
    expect((second.body as Json).next).toBeNull();
    expect((await fresh.api.get("deployments/?limit=-1")).status).toBe(422);
  });
});

describe("updating and deleting a deployment (API.md §13.6)", () => {
  it("PATCHes label, description (null allowed) and importance with 204; absent keys stay", async () => {
    const { deploymentId } = await deployedModel(api, {}, { description: "first" });
    const path = `deployments/${deploymentId}/`;
    const reply = await api.patch(path, { label: "renamed", importance: "HIGH" });
    expect(reply.status).toBe(204);
    expect(reply.text).toBe("");
    expect((await api.get(path)).body).toMatchObject({
      label: "renamed",
      importance: "HIGH",
      description: "first",
    });
    expect((await api.patch(path, { description: null })).status).toBe(204);
    expect(((await api.get(path)).body as Json).description).toBeNull();
    for (const body of [{ label: "" }, { label: 3 }, { importance: "NONE" }])
      expect((await api.patch(path, body)).status, JSON.stringify(body)).toBe(422);
    expect(((await api.get(path)).body as Json).label).toBe("renamed");
  });

  it("DELETE answers 204 and takes challengers and settings with it; packages stay", async () => {
    const { deploymentId, packageId } = await deployedModel(api);
    const path = `deployments/${deploymentId}/`;
    expect((await api.delete(path)).status).toBe(204);
    for (const sub of ["", "settings/", "challengers/"]) {
      const reply = await api.get(`${path}${sub}`);
      expect(reply.status, sub).toBe(404);
      expect((reply.body as Json).message).toBe(`Deployment ${deploymentId} not found`);
    }
    expect((await api.get(`modelPackages/${packageId}/`)).status).toBe(200);
    expect((await api.delete(path)).status).toBe(404);
    expect((await api.patch(path, { label: "x" })).status).toBe(404);
  });
});

describe("effects on custom models (API.md §13.10)", () => {
  it("counts deployments, filters isDeployed, refuses DELETE (409) and target changes (422) while deployed", async () => {
    const { modelId, versionId } = await modelWithVersion(api, {
      name: "effects",
      targetType: "Binary",
      targetName: "t",
      positiveClassLabel: "p",
      negativeClassLabel: "n",
    });
    const idle = await modelWithVersion(api, { name: "effects idle" });
    const pkg = await builtPackage(api, versionId);
    const first = await deployed(api, pkg.id as string);
    const second = await deployed(api, pkg.id as string);
    const model = (await api.get(`customModels/${modelId}/`)).body as Json;
    expect(model.deploymentsCount).toBe(2);
    expect(model).not.toHaveProperty("isDeployed");
    const listed = async (flag: string): Promise<string[]> =>
      ids(await api.get(`customModels/?customModelType=inference&searchFor=effects&isDeployed=${flag}`));
    expect(await listed("True")).toEqual([modelId]);
    expect(await listed("False")).toEqual([idle.modelId]);

    const refused = await api.delete(`customModels/${modelId}/`);
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({ message: "Cannot delete custom model with existing deployments" });
    for (const [field, value] of [
      ["targetName", "t2"],
      ["positiveClassLabel", "P"],
    ] as const) {
      const body =
        field === "positiveClassLabel"
          ? { positiveClassLabel: value, negativeClassLabel: "n" }
          : { [field]: value };
      const reply = await api.patch(`customModels/${modelId}/`, body);
      expect(reply.status, field).toBe(422);
      expect((reply.body as Json).message).toBe(`Cannot change ${field} of a deployed custom model`);
    }
    // Unchanged target fields and other fields may be sent.
    expect((await api.patch(`customModels/${modelId}/`, { targetName: "t", description: "d" })).status).toBe(
      200,
    );

    await api.delete(`deployments/${first.id as string}/`);
    expect(((await api.get(`customModels/${modelId}/`)).body as Json).deploymentsCount).toBe(1);
    await api.delete(`deployments/${second.id as string}/`);
    expect(await listed("true")).toEqual([]);
    expect(await listed("false")).toEqual([idle.modelId, modelId]);
    expect((await api.patch(`customModels/${modelId}/`, { targetName: "t2" })).status).toBe(200);
    // A model with packages but no deployment may go; its packages stay listed.
    expect((await api.delete(`customModels/${modelId}/`)).status).toBe(204);
    expect((await api.get(`modelPackages/${pkg.id as string}/`)).body).toMatchObject({
      customModelId: modelId,
    });
  });

  it("counts only champions, but a model serving as a challenger cannot be deleted either", async () => {
    const champion = await deployedModel(api);
    const path = `deployments/${champion.deploymentId}/`;
    await finished(api, await api.patch(`${path}settings/`, { challengerModels: { enabled: true } }));
    const other = await modelWithVersion(api);
    const pkg = await builtPackage(api, other.versionId);
    await finished(api, await api.post(`${path}challengers/`, { modelPackageId: pkg.id, name: "c" }));
    expect(((await api.get(`customModels/${other.modelId}/`)).body as Json).deploymentsCount).toBe(0);
    expect((await api.delete(`customModels/${other.modelId}/`)).status).toBe(409);
  });
});

describe("customModelDeployments/ (API.md §13.9)", () => {
  it("lists every deployment with its custom model and version, ignores a JSON body, filters by query", async () => {
    const a = await deployedModel(api, { name: "cmd-a" });
    const b = await deployedModel(api, { name: "cmd-b" });
    // CMA sends its filter as a JSON body on GET (§13.9).
    const all = await getWithBody(emu, "customModelDeployments/", { customModelIds: [a.modelId] });
    const items = all.data as Json[];
    expect(items.map((i) => i.id)).toEqual(expect.arrayContaining([a.deploymentId, b.deploymentId]));
    expect(items.find((i) => i.id === a.deploymentId)).toEqual({
      id: a.deploymentId,
      label: "dep",
      status: "active",
      customModel: { id: a.modelId, name: "cmd-a" },
      customModelVersion: { id: a.versionId, label: "1.0" },
    });
    expect(ids(await api.get(`customModelDeployments/?customModelIds=${b.modelId},${a.modelId}`))).toEqual([
      b.deploymentId,
      a.deploymentId,
    ]);
    expect(ids(await api.get(`customModelDeployments/?customModelIds=${a.modelId}`))).toEqual([
      a.deploymentId,
    ]);
  });

  it("collects logs: POST 202, 303 to the log, both GETs empty text for a healthy deployment; 404s", async () => {
    const { deploymentId } = await deployedModel(api);
    const empty = await api.get(`customModelDeployments/${deploymentId}/logs/`);
    expect(empty.status).toBe(200);
    expect(empty.text).toBe("");
    const reply = await api.post(`customModelDeployments/${deploymentId}/logs/`);
    expect(reply.status).toBe(202);
    const target = await finished(api, reply);
    expect(target).toMatch(new RegExp(`/api/v2/customModelDeployments/${deploymentId}/logs/[0-9a-f]{24}/$`));
    const log = await api.get(target);
    expect(log.status).toBe(200);
    expect(log.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(log.text).toBe("");
    expect(
      (await api.get(`customModelDeployments/${deploymentId}/logs/0123456789abcdef01234567/`)).status,
    ).toBe(404);
    expect((await api.post("customModelDeployments/0123456789abcdef01234567/logs/")).status).toBe(404);
  });
});
