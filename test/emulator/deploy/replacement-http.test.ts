import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../../src/emulator/index.js";
import {
  builtPackage,
  deployedModel,
  finished,
  modelWithVersion,
  SERVABLE,
  start,
  statusPath,
  type Api,
  type Json,
} from "./harness.js";

let emu: RunningEmulator;
let api: Api;
beforeAll(async () => {
  ({ emu, api } = await start({ jobDurationMs: 0 }));
});
afterAll(() => emu.stop());

const BINARY = {
  targetType: "Binary",
  targetName: "churn",
  positiveClassLabel: "yes",
  negativeClassLabel: "no",
};

/** A deployed Binary model plus a new version of it, packaged. */
async function deploymentAndNewVersion(): Promise<{
  deploymentId: string;
  modelId: string;
  newVersionId: string;
  newPackageId: string;
}> {
  const { deploymentId, modelId } = await deployedModel(api, BINARY);
  const next = await api.createVersion(modelId, { ...SERVABLE, "helper.py": "X = 2\n" });
  const pkg = await builtPackage(api, next.id as string);
  return { deploymentId, modelId, newVersionId: next.id as string, newPackageId: pkg.id as string };
}

const validate = (deploymentId: string, body: Json) =>
  api.post(`deployments/${deploymentId}/model/validation/`, body);

describe("model validation (API.md §13.7)", () => {
  it("passes a new version of the same model by modelPackageId (CMA, TF) and by modelId (PY), with every check", async () => {
    const { deploymentId, newVersionId, newPackageId } = await deploymentAndNewVersion();
    for (const body of [{ modelPackageId: newPackageId }, { modelId: newVersionId }]) {
      const reply = await validate(deploymentId, body);
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({
        status: "passing",
        message: "Model can be used to replace the current model",
        checks: {
          targetType: { status: "passing", message: "Target type Binary matches" },
          targetName: { status: "passing", message: "Target name churn matches" },
          classLabels: { status: "passing", message: "Class labels match" },
          notCurrentModel: { status: "passing", message: "The model is not the one the deployment serves" },
          modelPackageBuilt: { status: "passing", message: "The model package is built" },
        },
      });
    }
  });

  it("passes a version of another custom model with the same target (CMA replaces across models)", async () => {
    const { deploymentId } = await deployedModel(api, BINARY);
    const other = await modelWithVersion(api, { ...BINARY, name: "another" });
    expect(((await validate(deploymentId, { modelId: other.versionId })).body as Json).status).toBe(
      "passing",
    );
  });

  it("fails each check computed from the real objects, joining the failed messages", async () => {
    const { deploymentId, versionId, packageId } = await deployedModel(api, BINARY);
    const serving = await validate(deploymentId, { modelPackageId: packageId });
    expect(serving.body).toMatchObject({
      status: "failing",
      message: `Custom model version ${versionId} already serves this deployment`,
      checks: { notCurrentModel: { status: "failing" }, targetType: { status: "passing" } },
    });
    const cases: [Json, string[]][] = [
      [{ targetType: "Regression", targetName: "churn" }, ["targetType", "classLabels"]],
      [{ ...BINARY, targetName: "other" }, ["targetName"]],
      [{ ...BINARY, positiveClassLabel: "no", negativeClassLabel: "yes" }, ["classLabels"]],
    ];
    for (const [fields, failing] of cases) {
      const other = await modelWithVersion(api, fields);
      const body = (await validate(deploymentId, { modelId: other.versionId })).body as Json;
      const checks = body.checks as Record<string, Json>;
      expect(body.status, JSON.stringify(fields)).toBe("failing");
      expect(Object.keys(checks).filter((k) => checks[k]?.status === "failing")).toEqual(failing);
      expect(body.message).toBe(failing.map((k) => checks[k]?.message).join("; "));
    }
    const wrongType = await modelWithVersion(api, { targetType: "Regression", targetName: "churn" });
    const msg = ((await validate(deploymentId, { modelId: wrongType.versionId })).body as Json).message;
    expect(msg).toContain("Target type Regression does not match the deployment's Binary");
  });

  it("fails modelPackageBuilt while the package builds; a version without a package passes it (one will be built)", async () => {
    const slow = await start({ jobDurationMs: 400 });
    try {
      const a = await slow.api.createModel();
      const v1 = await slow.api.createVersion(a.id as string, SERVABLE);
      const p1 = await slow.api.post("modelPackages/fromCustomModelVersion/", {
        customModelVersionId: v1.id,
      });
      const d = await slow.api.post("deployments/fromModelPackage/", {
        modelPackageId: (p1.body as Json).id,
        label: "s",
      });
      const did = (d.body as Json).id as string;
      const v2 = await slow.api.createVersion(a.id as string, SERVABLE);
      const bare = await slow.api.post(`deployments/${did}/model/validation/`, { modelId: v2.id });
      expect((bare.body as Json).checks).toMatchObject({
        modelPackageBuilt: { status: "passing", message: "A model package will be built for the version" },
      });
      // Validation makes no package.
      expect(
        ((await slow.api.get(`modelPackages/?modelId=${v2.id as string}`)).body as Json).totalCount,
      ).toBe(0);
      const p2 = await slow.api.post("modelPackages/fromCustomModelVersion/", {
        customModelVersionId: v2.id,
      });
      const building = await slow.api.post(`deployments/${did}/model/validation/`, {
        modelPackageId: (p2.body as Json).id,
      });
      expect(building.body).toMatchObject({
        status: "failing",
        checks: {
          modelPackageBuilt: {
            status: "failing",
            message: `Model package ${(p2.body as Json).id as string} is still building`,
          },
        },
      });
    } finally {
      await slow.emu.stop();
    }
  });

  it("refuses neither or both ids and unknown ids (422), an unknown deployment (404)", async () => {
    const { deploymentId, newPackageId, newVersionId } = await deploymentAndNewVersion();
    const cases: [Json, string, string][] = [
      [{}, "modelPackageId", "modelPackageId or modelId is required"],
      [
        { modelPackageId: newPackageId, modelId: newVersionId },
        "modelPackageId",
        "Send modelPackageId or modelId, not both",
      ],
      [
        { modelPackageId: "0123456789abcdef01234567" },
        "modelPackageId",
        "Model package 0123456789abcdef01234567 not found",
      ],
      [
        { modelId: "0123456789abcdef01234567" },
        "modelId",
        "Custom model version 0123456789abcdef01234567 not found",
      ],
    ];
    for (const [body, field, message] of cases) {
      const reply = await validate(deploymentId, body);
      expect(reply.status, JSON.stringify(body)).toBe(422);
      expect(reply.body).toEqual({ message, errors: { [field]: message } });
    }
    expect((await validate("0123456789abcdef01234567", { modelPackageId: newPackageId })).status).toBe(404);
  });
});

describe("model replacement (API.md §13.7)", () => {
  it("swaps the champion before the 202, ends with a 303 to the deployment and keeps the settings", async () => {
    const { deploymentId, newVersionId, newPackageId } = await deploymentAndNewVersion();
    const path = `deployments/${deploymentId}/`;
    await finished(api, await api.patch(`${path}settings/`, { targetDrift: { enabled: true } }));
    const reply = await api.patch(`${path}model/`, { modelPackageId: newPackageId, reason: "ACCURACY" });
    expect(reply.status).toBe(202);
    expect(reply.body).toEqual({});
    const after = (await api.get(path)).body as Json;
    expect(after).toMatchObject({
      status: "active",
      model: { id: newVersionId },
      modelPackage: { id: newPackageId },
    });
    const status = await api.get(statusPath(reply));
    expect(status.status).toBe(303);
    expect((status.body as Json).type).toBe("DeploymentReplacement");
    // PY takes the id from the 303 URL with split("/")[-2].
    expect((status.headers.get("location") ?? "").split("/").at(-2)).toBe(deploymentId);
    expect(((await api.get(`${path}settings/`)).body as Json).targetDrift).toEqual({ enabled: true });
    const champion = (((await api.get(`${path}challengers/`)).body as Json).data as Json[])[0];
    expect(champion).toMatchObject({ model: { id: newVersionId }, modelPackage: { id: newPackageId } });
  });

  it("with modelId (PY) uses the version's newest package, or makes an unregistered one and freezes the version", async () => {
    const { deploymentId, modelId } = await deployedModel(api, BINARY);
    const bare = await api.createVersion(modelId, SERVABLE);
    expect(bare.isFrozen).toBe(false);
    const reply = await api.patch(`deployments/${deploymentId}/model/`, {
      modelId: bare.id,
      reason: "OTHER",
    });
    expect(reply.status).toBe(202);
    await finished(api, reply);
    const made = ((await api.get(`modelPackages/?modelId=${bare.id as string}`)).body as Json).data as Json[];
    expect(made).toHaveLength(1);
    expect(made[0]).toMatchObject({ registeredModelId: null, buildStatus: "complete" });
    expect(((await api.get(`deployments/${deploymentId}/`)).body as Json).modelPackage).toMatchObject({
      id: made[0]?.id,
    });
    expect(
      ((await api.get(`customModels/${modelId}/versions/${bare.id as string}/`)).body as Json).isFrozen,
    ).toBe(true);

    const packaged = await api.createVersion(modelId, SERVABLE);
    const older = await builtPackage(api, packaged.id as string);
    const newest = await builtPackage(api, packaged.id as string);
    await finished(
      api,
      await api.patch(`deployments/${deploymentId}/model/`, { modelId: packaged.id, reason: "OTHER" }),
    );
    const served = ((await api.get(`deployments/${deploymentId}/`)).body as Json).modelPackage as Json;
    expect(served.id).toBe(newest.id);
    expect(served.id).not.toBe(older.id);
  });

  it("refuses a missing or unknown reason and a failing validation (422) without changing anything", async () => {
    const { deploymentId, versionId, newPackageId } = await (async () => {
      const made = await deploymentAndNewVersion();
      const d = (await api.get(`deployments/${made.deploymentId}/`)).body as Json;
      return { ...made, versionId: (d.model as Json).id as string };
    })();
    for (const body of [
      { modelPackageId: newPackageId },
      { modelPackageId: newPackageId, reason: "BORED" },
    ]) {
      const reply = await api.patch(`deployments/${deploymentId}/model/`, body);
      expect(reply.status, JSON.stringify(body)).toBe(422);
      expect(Object.keys((reply.body as Json).errors as Json)).toEqual(["reason"]);
    }
    const regression = await modelWithVersion(api, { targetType: "Regression", targetName: "churn" });
    const refused = await api.patch(`deployments/${deploymentId}/model/`, {
      modelId: regression.versionId,
      reason: "OTHER",
    });
    expect(refused.status).toBe(422);
    expect((refused.body as Json).message).toContain("Target type Regression does not match");
    // The refused modelId made no package and froze nothing.
    expect(((await api.get(`modelPackages/?modelId=${regression.versionId}`)).body as Json).totalCount).toBe(
      0,
    );
    expect(((await api.get(`deployments/${deploymentId}/`)).body as Json).model).toMatchObject({
      id: versionId,
    });
  });

  it("errors the deployment when the new version cannot serve; logs say why", async () => {
    const { deploymentId, modelId } = await deployedModel(api);
    const broken = await api.createVersion(modelId, { "notes.txt": "no entry point" });
    const reply = await api.patch(`deployments/${deploymentId}/model/`, {
      modelId: broken.id,
      reason: "ERRORS",
    });
    expect(reply.status).toBe(202);
    const status = await api.waitForStatus(statusPath(reply));
    expect(status.body).toMatchObject({ status: "ERROR" });
    expect(((await api.get(`deployments/${deploymentId}/`)).body as Json).status).toBe("errored");
    expect((await api.get(`customModelDeployments/${deploymentId}/logs/`)).text).toMatch(
      /^ERROR: No entry point/,
    );
  });
});

describe("settings (API.md §13.8)", () => {
  it("returns every default section; PATCH is 202 + Location, visible at once, 303 to the deployment", async () => {
    const { deploymentId } = await deployedModel(api);
    const path = `deployments/${deploymentId}/settings/`;
    const defaults = await api.get(path);
    expect(defaults.status).toBe(200);
    expect(defaults.body).toEqual({
      associationId: { columnNames: [], requiredInPredictionRequests: false, autoGenerateId: false },
      challengerModels: { enabled: false },
      predictionsDataCollection: { enabled: false },
      targetDrift: { enabled: false },
      featureDrift: { enabled: false },
      segmentAnalysis: { enabled: false, attributes: [] },
      predictionWarning: { enabled: false, customBoundaries: null },
      predictionIntervals: { enabled: false, percentiles: [] },
      batchMonitoring: { enabled: false },
      humility: { enabled: false },
    });
    const reply = await api.patch(path, {
      associationId: { columnNames: ["row_id"] },
      predictionWarning: { enabled: true, customBoundaries: { upper: 10, lower: 0 } },
      biasAndFairness: { protectedFeatures: ["age"] },
      predictionsByForecastDate: "as given",
    });
    expect(reply.status).toBe(202);
    expect(reply.body).toEqual({});
    const now = (await api.get(path)).body as Json;
    expect(now).toMatchObject({
      associationId: { columnNames: ["row_id"], requiredInPredictionRequests: false, autoGenerateId: false },
      predictionWarning: { enabled: true, customBoundaries: { upper: 10, lower: 0 } },
      biasAndFairness: { protectedFeatures: ["age"] },
      predictionsByForecastDate: "as given",
      targetDrift: { enabled: false },
    });
    const status = await api.get(statusPath(reply));
    expect(status.status).toBe(303);
    expect(status.headers.get("location")).toBe(`${emu.url}/deployments/${deploymentId}/`);
    // Keys given replace stored ones; `customBoundaries: null` means the default boundaries (PY).
    await finished(api, await api.patch(path, { predictionWarning: { customBoundaries: null } }));
    expect(((await api.get(path)).body as Json).predictionWarning).toEqual({
      enabled: true,
      customBoundaries: null,
    });
  });

  it("refuses a non-boolean enabled or a known section that is not an object (422), changing nothing", async () => {
    const { deploymentId } = await deployedModel(api);
    const path = `deployments/${deploymentId}/settings/`;
    for (const body of [
      { targetDrift: { enabled: "yes" } },
      { featureDrift: true },
      { targetDrift: { enabled: true }, humility: [] },
    ]) {
      const reply = await api.patch(path, body);
      expect(reply.status, JSON.stringify(body)).toBe(422);
    }
    expect(((await api.get(path)).body as Json).targetDrift).toEqual({ enabled: false });
    expect((await api.patch("deployments/0123456789abcdef01234567/settings/", {})).status).toBe(404);
  });
});

describe("status (API.md §13.8)", () => {
  it("PATCH status/ sets inactive then active (202, 303 to the deployment); bad values and errored deployments get 422", async () => {
    const { deploymentId } = await deployedModel(api);
    const path = `deployments/${deploymentId}/`;
    const off = await api.patch(`${path}status/`, { status: "inactive" });
    expect(off.status).toBe(202);
    expect(((await api.get(path)).body as Json).status).toBe("inactive");
    expect(await finished(api, off)).toBe(`${emu.url}/${path}`);
    await finished(api, await api.patch(`${path}status/`, { status: "active" }));
    expect(((await api.get(path)).body as Json).status).toBe("active");
    for (const body of [{}, { status: "errored" }, { status: "paused" }])
      expect((await api.patch(`${path}status/`, body)).status, JSON.stringify(body)).toBe(422);
    const broken = await modelWithVersion(api, {}, { "x.txt": "" });
    const pkg = await builtPackage(api, broken.versionId);
    const d = await api.post("deployments/fromModelPackage/", { modelPackageId: pkg.id, label: "broken" });
    await api.waitForStatus(statusPath(d));
    const refused = await api.patch(`deployments/${(d.body as Json).id as string}/status/`, {
      status: "active",
    });
    expect(refused.status).toBe(422);
    expect((refused.body as Json).message).toBe("Cannot change the status of a deployment that is errored");
  });
});

describe("challengers (API.md §13.9)", () => {
  it("lists the champion first, then challengers oldest first; POST 202 ends with a 303 to the entry", async () => {
    const { deploymentId, modelId, packageId, versionId } = await deployedModel(api, BINARY);
    const path = `deployments/${deploymentId}/challengers/`;
    const one = (await api.get(path)).body as Json;
    expect(one).toMatchObject({ count: 1, totalCount: 1, next: null, previous: null });
    const champion = (one.data as Json[])[0] as Json;
    expect(champion).toMatchObject({
      name: "fraud",
      model: { id: versionId, type: "fraud", customModelImage: { customModelId: modelId } },
      modelPackage: { id: packageId, name: "fraud" },
      predictionEnvironment: { name: "Emulator Serverless" },
    });

    const v2 = await api.createVersion(modelId, SERVABLE);
    const p2 = await builtPackage(api, v2.id as string);
    const disabled = await api.post(path, { modelPackageId: p2.id, name: "c1" });
    expect(disabled.status).toBe(422);
    expect(Object.keys((disabled.body as Json).errors as Json)).toEqual(["challengerModels"]);

    await finished(
      api,
      await api.patch(`deployments/${deploymentId}/settings/`, { challengerModels: { enabled: true } }),
    );
    const reply = await api.post(path, { modelPackageId: p2.id, name: "c1" });
    expect(reply.status).toBe(202);
    const target = await finished(api, reply);
    const entry = (await api.get(target)).body as Json;
    expect(entry).toMatchObject({ name: "c1", model: { id: v2.id }, modelPackage: { id: p2.id } });
    const v3 = await api.createVersion(modelId, SERVABLE);
    const p3 = await builtPackage(api, v3.id as string);
    await finished(api, await api.post(path, { modelPackageId: p3.id }));
    const all = ((await api.get(path)).body as Json).data as Json[];
    expect(all.map((c) => c.name)).toEqual(["fraud", "c1", "fraud"]);
    // CMA compares data[-1].model.id with the latest version id.
    expect(all.at(-1)?.model).toMatchObject({ id: v3.id });
    expect(all[0]?.id).toBe(champion.id);
  });

  it("refuses a failing validation or an unknown environment (422); unknown challengers get 404", async () => {
    const { deploymentId, packageId } = await deployedModel(api, BINARY);
    const path = `deployments/${deploymentId}/challengers/`;
    await finished(
      api,
      await api.patch(`deployments/${deploymentId}/settings/`, { challengerModels: { enabled: true } }),
    );
    const same = await api.post(path, { modelPackageId: packageId, name: "again" });
    expect(same.status).toBe(422);
    expect((same.body as Json).message).toContain("already serves this deployment");
    const other = await modelWithVersion(api, BINARY);
    const pkg = await builtPackage(api, other.versionId);
    const env = await api.post(path, {
      modelPackageId: pkg.id,
      name: "c",
      predictionEnvironmentId: "0123456789abcdef01234567",
    });
    expect(env.status).toBe(422);
    expect((await api.post(path, { modelPackageId: pkg.id, name: "" })).status).toBe(422);
    expect(((await api.get(path)).body as Json).count).toBe(1);
    const missing = await api.get(`${path}0123456789abcdef01234567/`);
    expect(missing.status).toBe(404);
    expect((missing.body as Json).message).toBe("Challenger 0123456789abcdef01234567 not found");
  });
});

describe("actuals (API.md §13.9)", () => {
  it("accepts a dataset with the named columns (202, 303 to the deployment), 422 otherwise", async () => {
    const { deploymentId } = await deployedModel(api);
    const datasetId = await api.completedDataset("row_id,actual\n1,0\n2,1\n");
    const path = `deployments/${deploymentId}/actuals/fromDataset/`;
    const reply = await api.post(path, {
      datasetId,
      actualValueColumn: "actual",
      associationIdColumn: "row_id",
    });
    expect(reply.status).toBe(202);
    expect(await finished(api, reply)).toBe(`${emu.url}/deployments/${deploymentId}/`);
    const cases: [Json, string][] = [
      [{ actualValueColumn: "actual", associationIdColumn: "row_id" }, "datasetId"],
      [
        { datasetId: "0123456789abcdef01234567", actualValueColumn: "actual", associationIdColumn: "row_id" },
        "datasetId",
      ],
      [{ datasetId, associationIdColumn: "row_id" }, "actualValueColumn"],
      [{ datasetId, actualValueColumn: "nope", associationIdColumn: "row_id" }, "actualValueColumn"],
      [{ datasetId, actualValueColumn: "actual", associationIdColumn: "id" }, "associationIdColumn"],
    ];
    for (const [body, field] of cases) {
      const refused = await api.post(path, body);
      expect(refused.status, JSON.stringify(body)).toBe(422);
      expect(Object.keys((refused.body as Json).errors as Json)).toEqual([field]);
    }
  });
});
