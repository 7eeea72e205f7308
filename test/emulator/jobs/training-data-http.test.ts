import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../../src/emulator/index.js";
import { type Api, type Json, start, tempDir } from "./harness.js";

const GOOD = { "custom.py": "" };

describe("training data over HTTP", () => {
  let emu: RunningEmulator;
  let api: Api;
  let datasetId: string;
  beforeAll(async () => {
    ({ emu, api } = await start({ jobDurationMs: 0 }));
    datasetId = await api.completedDataset("a,b,fold,y\n1,2,A,3\n");
  });
  afterAll(() => emu.stop());

  it("assigns at model level: 202 + Location, 303 to the model, fields set", async () => {
    const model = await api.createModel();
    const reply = await api.patch(`customModels/${model.id as string}/trainingData/`, {
      datasetId,
      partitionColumn: "fold",
    });
    expect(reply.status).toBe(202);
    expect(reply.body).toEqual({});
    const status = await api.waitForStatus(reply.headers.get("location") ?? "");
    expect(status.status).toBe(303);
    expect(status.headers.get("location")).toBe(`${emu.url}/customModels/${model.id as string}/`);
    const after = (await api.get(`customModels/${model.id as string}/`)).body as Json;
    expect(after).toMatchObject({
      trainingDatasetId: datasetId,
      trainingDataFileName: "train.csv",
      trainingDataPartitionColumn: "fold",
      trainingDataAssignmentInProgress: false,
    });
    expect(typeof after.trainingDatasetVersionId).toBe("string");
  });

  it("refuses model-level assignment by the API's rules (422)", async () => {
    const enabled = await api.createModel({ isTrainingDataForVersionsPermanentlyEnabled: true });
    const disabled = await api.patch(`customModels/${enabled.id as string}/trainingData/`, { datasetId });
    expect(disabled.status).toBe(422);
    expect((disabled.body as Json).message).toBe(
      "Training data assignment at the model level has been permanently disabled for this model",
    );
    const unstructured = await api.createModel({ targetType: "Unstructured" });
    const u = await api.patch(`customModels/${unstructured.id as string}/trainingData/`, { datasetId });
    expect((u.body as Json).message).toBe("Use externalMlopsStatsConfig for unstructured models");
    const model = await api.createModel();
    const path = `customModels/${model.id as string}/trainingData/`;
    for (const [body, field] of [
      [{}, "datasetId"],
      [{ datasetId: "c".repeat(24) }, "datasetId"],
      [{ datasetId, partitionColumn: "nope" }, "partitionColumn"],
    ] as const) {
      const reply = await api.patch(path, body);
      expect(reply.status).toBe(422);
      expect((reply.body as { errors: Json }).errors[field]).toEqual(expect.any(String) as unknown);
    }
    const untouched = (await api.get(`customModels/${model.id as string}/`)).body as Json;
    expect(untouched.trainingDatasetId).toBeNull();
    expect((await api.patch(`customModels/${"d".repeat(24)}/trainingData/`, { datasetId })).status).toBe(404);
  });

  it("creates a new version withTrainingData: 202, then 303 to the new version carrying the data", async () => {
    const model = await api.createModel();
    const first = await api.createVersion(model.id as string, GOOD);
    const reply = await api.patch(`customModels/${model.id as string}/versions/withTrainingData/`, {
      trainingData: { datasetId },
      holdoutData: { partitionColumn: "fold" },
      gitModelVersion: {
        refName: "main",
        commitUrl: null,
        mainBranchCommitSha: "abc",
        pullRequestCommitSha: null,
      },
    });
    expect(reply.status).toBe(202);
    const status = await api.waitForStatus(reply.headers.get("location") ?? "");
    expect(status.status).toBe(303);
    const target = status.headers.get("location") ?? "";
    expect(target).toMatch(new RegExp(`/customModels/${model.id as string}/versions/[0-9a-f]{24}/$`));
    const version = (await api.get(target)).body as Json;
    expect(version.id).not.toBe(first.id);
    expect(version).toMatchObject({
      versionMajor: 1,
      versionMinor: 1,
      trainingData: {
        datasetId,
        datasetName: "train.csv",
        assignmentInProgress: false,
        assignmentError: null,
      },
      holdoutData: { partitionColumn: "fold", datasetId: null },
      gitModelVersion: { refName: "main", mainBranchCommitSha: "abc" },
    });
    expect((version.items as Json[]).map((i) => i.id)).toEqual((first.items as Json[]).map((i) => i.id));
    const after = (await api.get(`customModels/${model.id as string}/`)).body as Json;
    expect(after.isTrainingDataForVersionsPermanentlyEnabled).toBe(true);
    expect((after.latestVersion as Json).id).toBe(version.id);
  });

  it("makes withTrainingData a major version when the latest one is frozen", async () => {
    const model = await api.createModel();
    const v = await api.createVersion(model.id as string, GOOD);
    await api.post("customModelTests/", { customModelId: model.id, customModelVersionId: v.id, datasetId });
    const reply = await api.patch(`customModels/${model.id as string}/versions/withTrainingData/`, {
      trainingData: { datasetId },
    });
    const status = await api.waitForStatus(reply.headers.get("location") ?? "");
    const version = (await api.get(status.headers.get("location") ?? "")).body as Json;
    expect(version).toMatchObject({ versionMajor: 2, versionMinor: 0, isFrozen: false });
  });

  it("refuses withTrainingData without versions, without trainingData, or with holdout of the wrong kind", async () => {
    const empty = await api.createModel();
    const none = await api.patch(`customModels/${empty.id as string}/versions/withTrainingData/`, {
      trainingData: { datasetId },
    });
    expect(none.status).toBe(422);
    expect((none.body as Json).message).toBe(`Custom model ${empty.id as string} has no versions`);
    const model = await api.createModel();
    await api.createVersion(model.id as string, GOOD);
    const path = `customModels/${model.id as string}/versions/withTrainingData/`;
    for (const body of [
      {},
      { trainingData: { datasetId: "e".repeat(24) } },
      { trainingData: { datasetId }, holdoutData: { datasetId } },
      { trainingData: { datasetId }, holdoutData: { datasetId, partitionColumn: "fold" } },
    ]) {
      const reply = await api.patch(path, body);
      expect(reply.status, JSON.stringify(body)).toBe(422);
    }
    const versions = (await api.get(`customModels/${model.id as string}/versions/`)).body as Json;
    expect(versions.totalCount).toBe(1);
  });

  it("takes CMA's holdout of a definition without one ({partitionColumn: null}, {datasetId: null}) as no holdout", async () => {
    for (const [targetType, holdoutData] of [
      ["Regression", { partitionColumn: null }],
      ["Unstructured", { datasetId: null }],
    ] as const) {
      const model = await api.createModel({ targetType });
      await api.createVersion(model.id as string, GOOD);
      const reply = await api.patch(`customModels/${model.id as string}/versions/withTrainingData/`, {
        trainingData: { datasetId },
        holdoutData,
      });
      expect(reply.status, targetType).toBe(202);
      const status = await api.waitForStatus(reply.headers.get("location") ?? "");
      const version = (await api.get(status.headers.get("location") ?? "")).body as Json;
      expect(version.trainingData, targetType).toMatchObject({ datasetId });
      expect(version.holdoutData, targetType).toBeNull();
    }
  });

  it("takes holdout datasets (not partition columns) for Unstructured models", async () => {
    const model = await api.createModel({ targetType: "Unstructured" });
    await api.createVersion(model.id as string, GOOD);
    const path = `customModels/${model.id as string}/versions/withTrainingData/`;
    const wrong = await api.patch(path, {
      trainingData: { datasetId },
      holdoutData: { partitionColumn: "fold" },
    });
    expect(wrong.status).toBe(422);
    const right = await api.patch(path, { trainingData: { datasetId }, holdoutData: { datasetId } });
    expect(right.status).toBe(202);
    const status = await api.waitForStatus(right.headers.get("location") ?? "");
    const version = (await api.get(status.headers.get("location") ?? "")).body as Json;
    expect(version.holdoutData).toMatchObject({ datasetId, partitionColumn: null });
  });
});

describe("training data with a job duration", () => {
  it("shows assignmentInProgress while the model-level and inline jobs run", async () => {
    const { dir, cleanup } = tempDir();
    const { emu, api } = await start({ jobDurationMs: 0, dataDir: dir });
    const datasetId = await api.completedDataset();
    await emu.stop();
    // The same data dir with slow jobs: the dataset is ready, the assignments under test are not.
    const slow = await start({ jobDurationMs: 60_000, dataDir: dir });
    try {
      const model = await slow.api.createModel();
      const reply = await slow.api.patch(`customModels/${model.id as string}/trainingData/`, { datasetId });
      expect((await slow.api.get(reply.headers.get("location") ?? "")).body).toMatchObject({
        status: "RUNNING",
      });
      const during = (await slow.api.get(`customModels/${model.id as string}/`)).body as Json;
      expect(during).toMatchObject({ trainingDataAssignmentInProgress: true, trainingDatasetId: null });
      const version = await slow.api.createVersion(model.id as string, { "custom.py": "" }, [
        ["trainingData", JSON.stringify({ datasetId })],
      ]);
      expect((version.trainingData as Json).assignmentInProgress).toBe(true);
    } finally {
      await slow.emu.stop();
      cleanup();
    }
  });

  it("clears assignmentInProgress when the jobs end", async () => {
    const { emu, api } = await start({ jobDurationMs: 300 });
    try {
      const datasetId = await api.completedDataset();
      const model = await api.createModel();
      await api.patch(`customModels/${model.id as string}/trainingData/`, { datasetId });
      const seen = await api.pollUntil(
        `customModels/${model.id as string}/`,
        (m) => !m.trainingDataAssignmentInProgress,
      );
      expect(seen.at(-1)?.trainingDatasetId).toBe(datasetId);
      const other = await api.createModel({ name: "inline" });
      const version = await api.createVersion(other.id as string, { "custom.py": "" }, [
        ["trainingData", JSON.stringify({ datasetId })],
      ]);
      const path = `customModels/${other.id as string}/versions/${version.id as string}/`;
      const states = await api.pollUntil(
        path,
        (v) => (v.trainingData as Json).assignmentInProgress === false,
      );
      expect(states.at(-1)?.trainingData).toMatchObject({
        datasetId,
        assignmentInProgress: false,
        assignmentError: null,
      });
    } finally {
      await emu.stop();
    }
  });
});
