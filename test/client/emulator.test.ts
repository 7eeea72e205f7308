/**
 * Every client operation against the emulator (src/emulator), in the order a deploy uses them.
 * Faults the emulator can inject (5xx, 429) are exercised at the end.
 */
import { mkdtemp, readFile, rm, stat, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  collect,
  createClient,
  isNotFound,
  type CustomModel,
  type DataRobotClient,
} from "../../src/client/index.js";
import { startEmulator, type RunningEmulator } from "../../src/emulator/index.js";

let emulator: RunningEmulator;
let client: DataRobotClient;
let dir: string;
const trace: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "drgitops-client-emu-"));
  const seed = join(dir, "seed.yaml");
  await writeFile(
    seed,
    [
      "credentials:",
      "  - {name: openai-prod, credentialType: api_token, apiToken: sk-secret}",
      "  - {name: db-basic, credentialType: basic, user: u, password: p}",
    ].join("\n"),
  );
  emulator = await startEmulator({ seedFile: seed, quiet: true });
  client = createClient({
    endpoint: emulator.origin, // normalised to …/api/v2 by the client
    token: emulator.token,
    authScheme: "Token",
    poll: { intervalMs: 5, maxIntervalMs: 20 },
    trace: (line) => trace.push(line),
  });
  // A model source folder and a docker context.
  await mkdir(join(dir, "model", "src"), { recursive: true });
  await writeFile(join(dir, "model", "custom.py"), "def score(data, model, **kw):\n    return data\n");
  await writeFile(join(dir, "model", "requirements.txt"), "pandas>=1.5,<3\nrequests\n");
  await writeFile(join(dir, "model", "src", "helper.py"), "X = 1\n");
  await writeFile(join(dir, "model", "main.sas"), "data x; run;\n");
  await mkdir(join(dir, "ctx"));
  await writeFile(join(dir, "ctx", "Dockerfile"), "FROM python:3.11-slim\n");
  await mkdir(join(dir, "ctx-broken"));
  await writeFile(join(dir, "ctx-broken", "README.md"), "no Dockerfile here\n");
  await writeFile(join(dir, "train.csv"), "a,b,y,fold\n1,2,0,0\n3,4,1,1\n5,6,0,0\n");
  await writeFile(join(dir, "empty.csv"), "");
});

afterAll(async () => {
  await emulator.stop();
  await rm(dir, { recursive: true, force: true });
  expect(trace.join("\n")).not.toContain(emulator.token);
});

const file = (p: string) => ({ filePath: p, absPath: join(dir, "model", p) });

describe("client against the emulator", () => {
  let envId: string;
  let datasetId: string;
  let model: CustomModel;
  let versionId: string;

  it("checks the API version and ping", async () => {
    await expect(client.apiVersion()).resolves.toMatchObject({ major: 2 });
    await expect(client.ping()).resolves.toBeUndefined();
  });

  it("lists, gets and finds credentials by name", async () => {
    const all = await collect(client.credentials.listAll());
    expect(all.map((c) => c.name).sort()).toEqual(["db-basic", "openai-prod"]);
    const found = await client.credentials.findByName("openai-prod");
    expect(found.credentialType).toBe("api_token");
    await expect(client.credentials.get(found.credentialId)).resolves.toMatchObject({ name: "openai-prod" });
    expect((await client.credentials.listPage({ limit: 1 })).data).toHaveLength(1);
  });

  it("creates, lists, updates and builds execution environments", async () => {
    const env = await client.environments.create({
      name: "drgitops-py311",
      description: "Managed-By: drgitops",
      programmingLanguage: "python",
      useCases: ["customModel"],
    });
    envId = env.id;
    expect(
      (await collect(client.environments.listAll({ searchFor: "drgitops-py" }))).map((e) => e.id),
    ).toEqual([envId]);
    await expect(client.environments.update(envId, { description: "changed" })).resolves.toMatchObject({
      description: "changed",
    });
    await expect(client.environments.get(envId)).resolves.toMatchObject({ name: "drgitops-py311" });

    const created = await client.environmentVersions.create(envId, {
      dockerContextPath: join(dir, "ctx"),
      label: "v-ctx",
    });
    const built = await client.environmentVersions.waitForBuild(envId, created.id);
    expect(built.buildStatus).toBe("success");
    expect((await client.environmentVersions.buildLog(envId, created.id)).error ?? "").toBe("");
    const dest = join(dir, "ctx.zip");
    const { bytes } = await client.environmentVersions.download(envId, created.id, dest);
    expect(bytes).toBe((await stat(dest)).size);
    expect((await readFile(dest)).subarray(0, 2).toString()).toBe("PK");

    const broken = await client.environmentVersions.create(envId, {
      dockerContextPath: join(dir, "ctx-broken"),
    });
    const failed = await client.environmentVersions.waitForBuild(envId, broken.id);
    expect(failed.buildStatus).toBe("failed");
    expect((await client.environmentVersions.buildLog(envId, broken.id)).error).toMatch(/Dockerfile/);
    const versions = await collect(client.environmentVersions.listAll(envId, { buildStatus: "success" }));
    expect(versions.map((v) => v.id)).toEqual([created.id]);
    await expect(client.environmentVersions.get(envId, created.id)).resolves.toMatchObject({
      label: "v-ctx",
    });
  });

  it("uploads datasets (waiting for ingestion), lists, gets and deletes them", async () => {
    const progress: string[] = [];
    const dataset = await client.datasets.upload(
      { filePath: join(dir, "train.csv"), name: "train-abc123.csv", categories: ["TRAINING"] },
      { onProgress: (p) => progress.push(p.state) },
    );
    datasetId = dataset.datasetId;
    expect(dataset).toMatchObject({ name: "train-abc123.csv", processingState: "COMPLETED", rowCount: 3 });
    expect((await collect(client.datasets.listAll())).map((d) => d.datasetId)).toContain(datasetId);
    await expect(client.datasets.get(datasetId)).resolves.toMatchObject({ categories: ["TRAINING"] });

    await expect(client.datasets.upload({ filePath: join(dir, "empty.csv") })).rejects.toMatchObject({
      code: "job-failed",
      message: expect.stringContaining("Dataset file is empty") as unknown,
    });
    const extra = await client.datasets.upload({ filePath: join(dir, "train.csv") });
    await client.datasets.delete(extra.datasetId);
    const gone = await client.datasets.get(extra.datasetId).catch((e: unknown) => e);
    expect(isNotFound(gone)).toBe(true);
  });

  it("creates a model idempotently by userProvidedId, lists with filters, updates, copies and deletes", async () => {
    const input = {
      name: "Fraud detector",
      targetType: "Binary" as const,
      targetName: "y",
      positiveClassLabel: "1",
      negativeClassLabel: "0",
      language: "python",
      description: "Scores\n\nManaged-By: drgitops",
      userProvidedId: "acme/fraud",
    };
    const first = await client.customModels.create(input);
    expect(first.existed).toBe(false);
    model = first.model;
    const second = await client.customModels.create(input);
    expect(second).toMatchObject({ existed: true, model: { id: model.id } });

    const binaries = await collect(client.customModels.listAll({ targetType: "Binary", searchFor: "fraud" }));
    expect(binaries.map((m) => m.id)).toEqual([model.id]);
    await expect(client.customModels.findByUserProvidedId("acme/fraud")).resolves.toMatchObject({
      id: model.id,
    });
    await expect(
      client.customModels.update(model.id, { description: "new", replicas: 2 }),
    ).resolves.toMatchObject({
      description: "new",
      replicas: 2,
    });
    const copy = await client.customModels.copy(model.id);
    expect(copy.id).not.toBe(model.id);
    await client.customModels.delete(copy.id);
    expect(isNotFound(await client.customModels.get(copy.id).catch((e: unknown) => e))).toBe(true);
  });

  it("creates a clean version from disk, then one from previous with uploads and deletions", async () => {
    const first = await client.versions.createClean(model.id, {
      baseEnvironmentId: envId,
      files: [file("custom.py"), file("requirements.txt"), file("src/helper.py"), file("main.sas")],
      runtimeParameterValues: [],
      gitModelVersion: {
        refName: "main",
        commitUrl: "https://git.example.com/c/1",
        mainBranchCommitSha: "1",
      },
    });
    expect(first.items.map((i) => i.filePath).sort()).toEqual([
      "custom.py",
      "main.sas",
      "requirements.txt",
      "src/helper.py",
    ]);
    expect(first.dependencies?.map((d) => d.packageName)).toEqual(["pandas", "requests"]);

    const helper = first.items.find((i) => i.filePath === "src/helper.py");
    await writeFile(
      join(dir, "model", "custom.py"),
      "def score(data, model, **kw):\n    return data  # v2\n",
    );
    const second = await client.versions.createFromPrevious(model.id, {
      isMajorUpdate: false,
      files: [file("custom.py")],
      filesToDelete: [helper?.id ?? ""],
    });
    versionId = second.id;
    expect([second.versionMajor, second.versionMinor]).toEqual([first.versionMajor, first.versionMinor + 1]);
    expect(second.items.map((i) => i.filePath).sort()).toEqual(["custom.py", "main.sas", "requirements.txt"]);

    const listed = await collect(client.versions.listAll(model.id));
    expect(listed.map((v) => v.id)).toEqual([second.id, first.id]);
    await expect(
      client.versions.update(model.id, versionId, { description: "Drgitops-Fingerprint: sha256:abc" }),
    ).resolves.toMatchObject({ description: "Drgitops-Fingerprint: sha256:abc" });
    await expect(client.versions.get(model.id, versionId)).resolves.toMatchObject({ id: versionId });

    const zip = join(dir, "v.zip");
    await client.versions.download(model.id, versionId, zip);
    const latestZip = join(dir, "latest.zip");
    await client.customModels.downloadLatest(model.id, latestZip);
    expect((await readFile(zip)).subarray(0, 2).toString()).toBe("PK");
    expect((await stat(latestZip)).size).toBeGreaterThan(0);
  });

  it("runs, reads and cancels a dependency build", async () => {
    const started = await client.dependencyBuilds.start(model.id, versionId);
    expect(["submitted", "processing", "success"]).toContain(started.buildStatus);
    const done = await client.dependencyBuilds.waitForBuild(model.id, versionId);
    expect(done.buildStatus).toBe("success");
    await expect(client.dependencyBuilds.get(model.id, versionId)).resolves.toMatchObject({
      buildStatus: "success",
    });
    expect(await client.dependencyBuilds.log(model.id, versionId)).toMatch(/pandas/);
    await expect(client.dependencyBuilds.cancel(model.id, versionId)).resolves.toBeUndefined();
  });

  it("runs a test to completion and reads its log", async () => {
    const test = await client.tests.create({
      customModelId: model.id,
      customModelVersionId: versionId,
      datasetId,
      configuration: { sideEffects: "warn" },
    });
    expect(test.customModelVersion?.id).toBe(versionId);
    expect(test.overallStatus).not.toBe("in_progress");
    expect((await collect(client.tests.listAll(model.id)))[0]?.id).toBe(test.id);
    await expect(client.tests.get(test.id)).resolves.toMatchObject({ id: test.id });
    expect(await client.tests.log(test.id)).toMatch(/errorCheck/);
    expect(await client.tests.logTail(test.id)).toMatch(/errorCheck/);
    await expect(client.tests.waitForCompletion(test.id)).resolves.toMatchObject({ id: test.id });
    await expect(client.tests.cancel(test.id)).resolves.toBeUndefined();
  });

  it("assigns training data at model and version level", async () => {
    const other = (
      await client.customModels.create({ name: "Reg", targetType: "Regression", targetName: "y" })
    ).model;
    const assigned = await client.trainingData.assignToModel(other.id, {
      datasetId,
      partitionColumn: "fold",
    });
    expect(assigned).toMatchObject({ trainingDatasetId: datasetId, trainingDataPartitionColumn: "fold" });

    await client.customModels.update(model.id, { isTrainingDataForVersionsPermanentlyEnabled: true });
    const withData = await client.trainingData.createVersionWithTrainingData(model.id, {
      trainingData: { datasetId },
      holdoutData: { partitionColumn: "fold" },
    });
    expect(withData.trainingData?.datasetId).toBe(datasetId);
    expect(withData.id).not.toBe(versionId);
    versionId = withData.id;
  });

  it("calculates and reads feature impact", async () => {
    const missing = await client.featureImpact.get(model.id, versionId).catch((e: unknown) => e);
    expect(isNotFound(missing)).toBe(true);
    await expect(client.featureImpact.calculate(model.id, versionId)).resolves.toMatchObject({
      featureImpacts: [],
    });
    await expect(client.featureImpact.get(model.id, versionId)).resolves.toMatchObject({ shapBased: false });
  });

  it("runs, lists and stops conversions", async () => {
    const version = await client.versions.get(model.id, versionId);
    const sas = version.items.find((i) => i.filePath === "main.sas");
    const conversion = await client.conversions.run(model.id, versionId, sas?.id ?? "");
    expect(conversion.mainProgramItemId).toBe(sas?.id);
    await expect(client.conversions.get(model.id, versionId, conversion.id)).resolves.toMatchObject({
      id: conversion.id,
    });
    await expect(client.conversions.latest(model.id, versionId)).resolves.toMatchObject({
      id: conversion.id,
    });
    expect((await collect(client.conversions.listAll(model.id, versionId))).map((c) => c.id)).toEqual([
      conversion.id,
    ]);
    await expect(client.conversions.stop(model.id, versionId, conversion.id)).resolves.toBeUndefined();
  });

  it("reports API errors with status, message and fields", async () => {
    await expect(client.customModels.get("000000000000000000000000")).rejects.toMatchObject({
      code: "api-error",
      status: 404,
      apiMessage: "Custom model 000000000000000000000000 not found",
    });
    const bad = createClient({ endpoint: emulator.url, token: "wrong-token", retries: 0 });
    await expect(bad.customModels.listPage()).rejects.toMatchObject({
      status: 401,
      message: expect.stringMatching(/Check the API token/) as unknown,
    });
  });

  it("deletes an unused environment", async () => {
    const env = await client.environments.create({ name: "temp" });
    await client.environments.delete(env.id);
    expect(isNotFound(await client.environments.get(env.id).catch((e: unknown) => e))).toBe(true);
  });

  it("rides through injected 5xx and 429 faults on reads", async () => {
    const admin = (body: unknown) =>
      fetch(`${emulator.origin}/__emulator/faults`, {
        method: "PUT",
        headers: { authorization: `Bearer ${emulator.token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const sleeps: number[] = [];
    const faulty = createClient({
      endpoint: emulator.url,
      token: emulator.token,
      retries: 3,
      random: () => 0, // backoff waits 0 ms; Retry-After waits are not jittered
      sleep: (ms) => {
        sleeps.push(ms);
        return new Promise((resolve) => setTimeout(resolve, Math.min(ms, 1100)));
      },
    });
    await admin({ errorRate: 1 });
    await expect(faulty.customModels.get(model.id)).rejects.toMatchObject({ code: "api-error" });
    expect(sleeps).toHaveLength(3);
    await admin({ errorRate: 0, rateLimit: 1 });
    sleeps.length = 0;
    await Promise.all([faulty.customModels.get(model.id), faulty.customModels.get(model.id)]);
    expect(sleeps.length).toBeGreaterThan(0);
    expect(sleeps.every((ms) => ms >= 1000)).toBe(true); // Retry-After from the emulator, in seconds
    await admin({ rateLimit: 0 });
  });
});

describe("client against an emulator with a small upload limit", () => {
  it("reports 413 as an API error even while the upload is still streaming", async () => {
    const small = await startEmulator({ maxUploadBytes: 1000, quiet: true });
    try {
      const c = createClient({ endpoint: small.url, token: small.token });
      const big = join(dir, "big.bin");
      await writeFile(big, Buffer.alloc(8 * 1024 * 1024, 1));
      const { model } = await c.customModels.create({ name: "x", targetType: "Regression", targetName: "y" });
      const env = (await collect(c.environments.listAll()))[0];
      await expect(
        c.versions.createClean(model.id, {
          baseEnvironmentId: env?.id ?? "",
          files: [{ filePath: "big.bin", absPath: big }],
        }),
      ).rejects.toMatchObject({
        code: "api-error",
        status: 413,
        message: expect.stringMatching(
          /failed with 413: .*upload limit was exceeded by this upload: big\.bin \(8388608 bytes\).*larger than the server accepts/,
        ) as unknown,
      });
    } finally {
      await small.stop();
    }
  });

  it("refuses before sending when it was given the emulator's limit", async () => {
    const small = await startEmulator({ maxUploadBytes: 1000, quiet: true });
    try {
      const c = createClient({
        endpoint: small.url,
        token: small.token,
        maxUploadBytes: small.maxUploadBytes,
      });
      const big = join(dir, "big.bin");
      await writeFile(big, Buffer.alloc(5000, 1));
      const { model } = await c.customModels.create({ name: "x", targetType: "Regression", targetName: "y" });
      await expect(
        c.versions.createClean(model.id, { files: [{ filePath: "big.bin", absPath: big }] }),
      ).rejects.toMatchObject({
        code: "upload-too-large",
        message: expect.stringContaining(
          "is 5000 bytes, over the server's upload limit of 1000 bytes",
        ) as unknown,
      });
      expect((await c.versions.listPage(model.id)).totalCount).toBe(0);
    } finally {
      await small.stop();
    }
  });
});
