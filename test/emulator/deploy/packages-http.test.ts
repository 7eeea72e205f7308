import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../../src/emulator/index.js";
import {
  builtPackage,
  deployed,
  finished,
  ids,
  modelWithVersion,
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

describe("model packages (API.md §13.2)", () => {
  it("answers 201 with the package and the Location of a build job that ends with a 303 to it", async () => {
    const { modelId, versionId } = await modelWithVersion(api, {
      name: "fraud",
      targetType: "Binary",
      targetName: "is_fraud",
      positiveClassLabel: "yes",
      negativeClassLabel: "no",
    });
    const reply = await api.post("modelPackages/fromCustomModelVersion/", {
      customModelVersionId: versionId,
    });
    expect(reply.status).toBe(201);
    expect(reply.headers.get("content-type")).toBe("application/json");
    const pkg = reply.body as Json;
    expect(pkg).toMatchObject({
      name: "fraud",
      modelId: versionId,
      customModelId: modelId,
      registeredModelId: null,
      registeredModelVersion: null,
      buildStatus: "inProgress",
      stage: "Registered",
      target: { name: "is_fraud", type: "Binary", predictionThreshold: 0.5, classNames: ["yes", "no"] },
      tags: [],
      textGeneration: null,
    });
    expect(pkg.id).toMatch(/^[0-9a-f]{24}$/);
    const status = await api.get(statusPath(reply));
    expect(status.status).toBe(303);
    expect((status.body as Json).type).toBe("ModelPackageBuild");
    expect(status.headers.get("location")).toBe(`${emu.url}/modelPackages/${pkg.id as string}/`);
    expect(((await api.get(`modelPackages/${pkg.id as string}/`)).body as Json).buildStatus).toBe("complete");
  });

  it("shows inProgress while the build runs, then complete", async () => {
    const slow = await start({ jobDurationMs: 300 });
    try {
      const { versionId } = await modelWithVersion(slow.api);
      const reply = await slow.api.post("modelPackages/fromCustomModelVersion/", {
        customModelVersionId: versionId,
      });
      const path = `modelPackages/${(reply.body as Json).id as string}/`;
      expect(((await slow.api.get(statusPath(reply))).body as Json).status).toBe("RUNNING");
      expect(((await slow.api.get(path)).body as Json).buildStatus).toBe("inProgress");
      await finished(slow.api, reply);
      expect(((await slow.api.get(path)).body as Json).buildStatus).toBe("complete");
    } finally {
      await slow.emu.stop();
    }
  });

  it("freezes the version at the 201, so the next minor version is refused and a major one is (n+1).0", async () => {
    const { modelId, versionId } = await modelWithVersion(api);
    await api.post("modelPackages/fromCustomModelVersion/", { customModelVersionId: versionId });
    expect(((await api.get(`customModels/${modelId}/versions/${versionId}/`)).body as Json).isFrozen).toBe(
      true,
    );
    const minor = await api.request("PATCH", `customModels/${modelId}/versions/`, {
      form: { fields: [["isMajorUpdate", "false"]] },
    });
    expect(minor.status).toBe(422);
    const major = await api.request("PATCH", `customModels/${modelId}/versions/`, {
      form: { fields: [["isMajorUpdate", "true"]] },
    });
    expect(major.body).toMatchObject({ versionMajor: 2, versionMinor: 0 });
  });

  it("lists packages newest first, filtered by modelId (PY), with next repeating the filter", async () => {
    const { versionId } = await modelWithVersion(api);
    const a = await builtPackage(api, versionId);
    const b = await builtPackage(api, versionId);
    const other = await modelWithVersion(api);
    const otherPkg = await builtPackage(api, other.versionId);
    const first = await api.get(`modelPackages/?modelId=${versionId}&limit=1`);
    expect(ids(first)).toEqual([b.id]);
    expect((first.body as Json).totalCount).toBe(2);
    const next = (first.body as Json).next as string;
    expect(next).toBe(`${emu.url}/modelPackages/?modelId=${versionId}&limit=1&offset=1`);
    expect(ids(await api.get(next))).toEqual([a.id]);
    expect(ids(await api.get("modelPackages/")).slice(0, 3)).toEqual([otherPkg.id, b.id, a.id]);
  });

  it("stores name, tags and a TextGeneration prompt", async () => {
    const { versionId } = await modelWithVersion(api, { targetType: "TextGeneration", targetName: "answer" });
    const pkg = await builtPackage(api, versionId, {
      name: "llm (v1)",
      tags: [{ name: "team", value: "nlp" }],
      prompt: "Answer briefly",
    });
    expect(pkg).toMatchObject({
      name: "llm (v1)",
      tags: [{ name: "team", value: "nlp" }],
      textGeneration: { prompt: "Answer briefly" },
      target: { type: "TextGeneration", name: "answer", classNames: null },
    });
  });

  it("refuses a missing or unknown version, bad tags, an empty name (422) and unknown packages (404)", async () => {
    const missing = await api.post("modelPackages/fromCustomModelVersion/", {});
    expect(missing.status).toBe(422);
    expect((missing.body as Json).errors).toMatchObject({
      customModelVersionId: "customModelVersionId is required",
    });
    const unknown = await api.post("modelPackages/fromCustomModelVersion/", {
      customModelVersionId: "0123456789abcdef01234567",
    });
    expect(unknown.status).toBe(422);
    expect((unknown.body as Json).message).toBe("Custom model version 0123456789abcdef01234567 not found");
    const { versionId } = await modelWithVersion(api);
    const badTags = await api.post("modelPackages/fromCustomModelVersion/", {
      customModelVersionId: versionId,
      tags: "x",
    });
    expect(badTags.status).toBe(422);
    const emptyName = await api.post("modelPackages/fromCustomModelVersion/", {
      customModelVersionId: versionId,
      name: "",
    });
    expect(emptyName.status).toBe(422);
    // A refused package leaves the version unfrozen: the request is one transaction.
    const { modelId } = await modelWithVersion(api);
    const latest = ((await api.get(`customModels/${modelId}/`)).body as Json).latestVersion as Json;
    await api.post("modelPackages/fromCustomModelVersion/", {
      customModelVersionId: latest.id,
      registeredModelId: "nope",
    });
    expect(((await api.get(`customModels/${modelId}/`)).body as Json).latestVersion).toMatchObject({
      isFrozen: false,
    });
    const gone = await api.get("modelPackages/0123456789abcdef01234567/");
    expect(gone.status).toBe(404);
    expect((gone.body as Json).message).toBe("Model package 0123456789abcdef01234567 not found");
  });

  it("is not offered from leaderboards or images: 404, not 405", async () => {
    for (const path of ["modelPackages/fromLeaderboard/", "modelPackages/fromCustomModelImage/"]) {
      const reply = await api.post(path, {});
      expect(reply.status, path).toBe(404);
    }
  });
});

describe("registered models (API.md §13.3)", () => {
  it("creates one with registeredModelName, numbers its versions and lists them newest first", async () => {
    const { versionId } = await modelWithVersion(api, { name: "churn" });
    const v1 = await builtPackage(api, versionId, { registeredModelName: "Churn registry" });
    expect(v1).toMatchObject({ registeredModelVersion: 1 });
    const rmId = v1.registeredModelId as string;
    const v2 = await builtPackage(api, versionId, { registeredModelId: rmId });
    expect(v2).toMatchObject({ registeredModelId: rmId, registeredModelVersion: 2 });
    const rm = (await api.get(`registeredModels/${rmId}/`)).body as Json;
    expect(rm).toMatchObject({
      id: rmId,
      name: "Churn registry",
      description: "",
      lastVersionNum: 2,
      isGlobal: false,
      target: { name: "y", type: "Regression" },
    });
    expect(rm.createdAt).toMatch(/Z$/);
    expect(ids(await api.get(`registeredModels/${rmId}/versions/`))).toEqual([v2.id, v1.id]);
    await expect(api.get(`registeredModels/${rmId}/versions/${v1.id as string}/`)).resolves.toMatchObject({
      status: 200,
      body: { id: v1.id, buildStatus: "complete" },
    });
  });

  it("gets 409 for a name in use (TF matches 'already in use'), 422 for both fields or an unknown id", async () => {
    const { versionId } = await modelWithVersion(api);
    await builtPackage(api, versionId, { registeredModelName: "taken" });
    const again = await api.post("modelPackages/fromCustomModelVersion/", {
      customModelVersionId: versionId,
      registeredModelName: "taken",
    });
    expect(again.status).toBe(409);
    expect((again.body as Json).message).toBe("Registered model name 'taken' is already in use");
    const both = await api.post("modelPackages/fromCustomModelVersion/", {
      customModelVersionId: versionId,
      registeredModelName: "x",
      registeredModelId: "y",
    });
    expect(both.status).toBe(422);
    const unknown = await api.post("modelPackages/fromCustomModelVersion/", {
      customModelVersionId: versionId,
      registeredModelId: "0123456789abcdef01234567",
    });
    expect(unknown.status).toBe(422);
    expect((unknown.body as Json).message).toBe("Registered model 0123456789abcdef01234567 not found");
    expect(((await api.get("registeredModels/?search=x")).body as Json).totalCount).toBe(0);
  });

  it("refuses a version of another target type into a registered model", async () => {
    const reg = await modelWithVersion(api);
    const pkg = await builtPackage(api, reg.versionId, { registeredModelName: "regression-only" });
    const binary = await modelWithVersion(api, { targetType: "Binary", targetName: "b" });
    const reply = await api.post("modelPackages/fromCustomModelVersion/", {
      customModelVersionId: binary.versionId,
      registeredModelId: pkg.registeredModelId,
    });
    expect(reply.status).toBe(422);
  });

  it("lists with search (substring, any case) and isGlobal, and PATCHes name, description, isGlobal (200)", async () => {
    const { versionId } = await modelWithVersion(api);
    const pkg = await builtPackage(api, versionId, { registeredModelName: "Alpha Search Target" });
    const rmId = pkg.registeredModelId as string;
    expect(ids(await api.get("registeredModels/?search=alpha%20search"))).toEqual([rmId]);
    expect(ids(await api.get("registeredModels/?search=ALPHA&isGlobal=true"))).toEqual([]);
    const patched = await api.patch(`registeredModels/${rmId}/`, { description: "d", isGlobal: true });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ description: "d", isGlobal: true, lastVersionNum: 1 });
    expect(ids(await api.get("registeredModels/?search=ALPHA&isGlobal=True"))).toEqual([rmId]);
    expect(ids(await api.get("registeredModels/?search=ALPHA&isGlobal=false"))).toEqual([]);
    const renamed = await api.patch(`registeredModels/${rmId}/`, { name: "Alpha renamed" });
    expect((renamed.body as Json).name).toBe("Alpha renamed");
    // Its own name is not "in use" by another; someone else's is.
    expect((await api.patch(`registeredModels/${rmId}/`, { name: "Alpha renamed" })).status).toBe(200);
    const other = await builtPackage(api, versionId, { registeredModelName: "Beta" });
    const clash = await api.patch(`registeredModels/${other.registeredModelId as string}/`, {
      name: "Alpha renamed",
    });
    expect(clash.status).toBe(409);
    expect((clash.body as Json).message).toContain("already in use");
    expect((await api.patch(`registeredModels/${rmId}/`, { name: "" })).status).toBe(422);
    expect((await api.get("registeredModels/?isGlobal=maybe")).status).toBe(422);
  });

  it("renames a version and sets its threshold with PATCH versions/{pid}/; bad values get 422", async () => {
    const { versionId } = await modelWithVersion(api);
    const pkg = await builtPackage(api, versionId, { registeredModelName: "renames" });
    const path = `registeredModels/${pkg.registeredModelId as string}/versions/${pkg.id as string}/`;
    const reply = await api.patch(path, { name: "renames (v1)", predictionThreshold: 0.7 });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ name: "renames (v1)", target: { predictionThreshold: 0.7 } });
    expect(((await api.get(`modelPackages/${pkg.id as string}/`)).body as Json).name).toBe("renames (v1)");
    expect((await api.patch(path, { predictionThreshold: 2 })).status).toBe(422);
    expect((await api.patch(path, { name: "" })).status).toBe(422);
    const unregistered = await builtPackage(api, versionId);
    const elsewhere = await api.get(
      `registeredModels/${pkg.registeredModelId as string}/versions/${unregistered.id as string}/`,
    );
    expect(elsewhere.status).toBe(404);
  });

  it("deletes with its packages (204), but not while a package serves a deployment (409)", async () => {
    const { versionId } = await modelWithVersion(api);
    const pkg = await builtPackage(api, versionId, { registeredModelName: "to delete" });
    const rmId = pkg.registeredModelId as string;
    const deployment = await deployed(api, pkg.id as string);
    const refused = await api.delete(`registeredModels/${rmId}/`);
    expect(refused.status).toBe(409);
    expect((refused.body as Json).message).toBe("Cannot delete registered model with existing deployments");
    expect((await api.delete(`deployments/${deployment.id as string}/`)).status).toBe(204);
    expect((await api.delete(`registeredModels/${rmId}/`)).status).toBe(204);
    expect((await api.get(`registeredModels/${rmId}/`)).status).toBe(404);
    expect((await api.get(`modelPackages/${pkg.id as string}/`)).status).toBe(404);
    const gone = await api.delete(`registeredModels/${rmId}/`);
    expect(gone.status).toBe(404);
    expect((gone.body as Json).message).toBe(`Registered model ${rmId} not found`);
  });
});
