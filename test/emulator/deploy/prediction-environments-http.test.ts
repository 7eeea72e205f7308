import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../../src/emulator/index.js";
import { deployedModel, ids, SEEDED_PREDICTION_ENV_ID, start, type Api, type Json } from "./harness.js";

let emu: RunningEmulator;
let api: Api;
beforeAll(async () => {
  ({ emu, api } = await start({ jobDurationMs: 0 }));
});
afterAll(() => emu.stop());

const create = (body: Json) => api.post("predictionEnvironments/", body);

describe("prediction environments (API.md §13.4)", () => {
  it("has the seeded one, found by CMA's query, and refuses to change or delete it (403)", async () => {
    const list = await api.get("predictionEnvironments/?supportedModelFormats=customModel");
    expect((list.body as Json).data).toEqual([
      {
        id: SEEDED_PREDICTION_ENV_ID,
        name: "Emulator Serverless",
        description: "Built-in prediction environment of the emulator",
        platform: "datarobotServerless",
        managedBy: "datarobot",
        isManagedByManagementAgent: true,
        supportedModelFormats: ["datarobot", "customModel"],
        priority: null,
        maxConcurrentBatchPredictionsJob: null,
        credentialId: null,
        datastoreId: null,
        created: expect.stringMatching(/Z$/) as unknown,
      },
    ]);
    for (const reply of [
      await api.patch(`predictionEnvironments/${SEEDED_PREDICTION_ENV_ID}/`, { name: "x" }),
      await api.delete(`predictionEnvironments/${SEEDED_PREDICTION_ENV_ID}/`),
    ]) {
      expect(reply.status).toBe(403);
      expect((reply.body as Json).message).toBe("Built-in prediction environments cannot be modified");
    }
  });

  it("takes a configurable seeded id", async () => {
    const other = await start({ builtinPredictionEnvironmentId: "0000000000000000000000aa" });
    try {
      expect(ids(await other.api.get("predictionEnvironments/"))).toEqual(["0000000000000000000000aa"]);
    } finally {
      await other.emu.stop();
    }
  });

  it("creates (201) with TF's fields and defaults, gets, PATCHes (200) and deletes (204)", async () => {
    const reply = await create({ name: "k8s east", platform: "aws", supportedModelFormats: ["customModel"] });
    expect(reply.status).toBe(201);
    const env = reply.body as Json;
    expect(env).toMatchObject({
      name: "k8s east",
      description: "",
      platform: "aws",
      managedBy: "selfManaged",
      isManagedByManagementAgent: false,
      supportedModelFormats: ["customModel"],
    });
    const path = `predictionEnvironments/${env.id as string}/`;
    expect((await api.get(path)).body).toEqual(env);
    const patched = await api.patch(path, { description: "prod", managedBy: "managementAgent", priority: 2 });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      name: "k8s east",
      description: "prod",
      managedBy: "managementAgent",
      priority: 2,
    });
    expect((await api.delete(path)).status).toBe(204);
    const gone = await api.get(path);
    expect(gone.status).toBe(404);
    expect((gone.body as Json).message).toBe(`Prediction environment ${env.id as string} not found`);
  });

  it("refuses missing name or platform and values outside the lists (422)", async () => {
    const cases: [Json, string][] = [
      [{ platform: "aws" }, "name"],
      [{ name: "x" }, "platform"],
      [{ name: "x", platform: "mainframe" }, "platform"],
      [{ name: "x", platform: "aws", managedBy: "me" }, "managedBy"],
      [{ name: "x", platform: "aws", priority: 3 }, "priority"],
      [{ name: "x", platform: "aws", supportedModelFormats: "customModel" }, "supportedModelFormats"],
    ];
    for (const [body, field] of cases) {
      const reply = await create(body);
      expect(reply.status, JSON.stringify(body)).toBe(422);
      expect(Object.keys((reply.body as Json).errors as Json)).toEqual([field]);
    }
  });

  it("searches by name substring with exact (any case) matches first, and filters by model format", async () => {
    const wide = (await create({ name: "prod-serving-extra", platform: "gcp" })).body as Json;
    const exact = (
      await create({ name: "Prod-Serving", platform: "gcp", supportedModelFormats: ["customModel"] })
    ).body as Json;
    expect(ids(await api.get("predictionEnvironments/?search=prod-serving"))).toEqual([exact.id, wide.id]);
    expect(
      ids(await api.get("predictionEnvironments/?search=prod-serving&supportedModelFormats=customModel")),
    ).toEqual([exact.id]);
    expect(ids(await api.get("predictionEnvironments/?search=nothing-like-it"))).toEqual([]);
  });

  it("cannot be deleted while a deployment uses it (409)", async () => {
    const env = (await create({ name: "in use", platform: "other" })).body as Json;
    const { deploymentId } = await deployedModel(api, {}, { predictionEnvironmentId: env.id });
    const refused = await api.delete(`predictionEnvironments/${env.id as string}/`);
    expect(refused.status).toBe(409);
    expect((refused.body as Json).message).toBe(
      "Cannot delete prediction environment with existing deployments",
    );
    await api.delete(`deployments/${deploymentId}/`);
    expect((await api.delete(`predictionEnvironments/${env.id as string}/`)).status).toBe(204);
  });
});
