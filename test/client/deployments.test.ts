/**
 * Every client operation of API.md §13 against the emulator: packages, registered models,
 * prediction environments, deployments (model, settings, status, challengers) and their logs.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  collect,
  createClient,
  isNameTaken,
  isNotFound,
  isStillDeployed,
  type DataRobotClient,
  type WaitProgress,
} from "../../src/client/index.js";
import { startEmulator, type RunningEmulator } from "../../src/emulator/index.js";

const BUILTIN_ENV = "5e8c889607389fe0f466c72d";
const SEEDED_PREDICTION_ENV = "5e8c889607389fe0f466c730";

let emulator: RunningEmulator;
let client: DataRobotClient;
let dir: string;
const trace: string[] = [];

const connect = (emu: RunningEmulator): DataRobotClient =>
  createClient({
    endpoint: emu.url,
    token: emu.token,
    poll: { intervalMs: 5, maxIntervalMs: 20 },
    trace: (line) => trace.push(line),
  });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "drgitops-client-deploy-"));
  await writeFile(join(dir, "custom.py"), "def score(data, model, **kw):\n    return data\n");
  await writeFile(join(dir, "README.md"), "no entry point\n");
  emulator = await startEmulator({ quiet: true });
  client = connect(emulator);
});

afterAll(async () => {
  await emulator.stop();
  await rm(dir, { recursive: true, force: true });
  expect(trace.join("\n")).not.toContain(emulator.token);
});

/** A model with one version; `servable: false` gives a version without an entry point. */
async function modelAndVersion(
  c: DataRobotClient,
  name: string,
  servable = true,
): Promise<{ modelId: string; versionId: string }> {
  const { model } = await c.customModels.create({ name, targetType: "Binary", targetName: "churn" });
  const version = await c.versions.createClean(model.id, {
    baseEnvironmentId: BUILTIN_ENV,
    files: [
      {
        filePath: servable ? "custom.py" : "README.md",
        absPath: join(dir, servable ? "custom.py" : "README.md"),
      },
    ],
  });
  return { modelId: model.id, versionId: version.id };
}

describe("model packages and registered models", () => {
  it("creates a package, waiting for its build, and lists and gets packages by version", async () => {
    const { versionId } = await modelAndVersion(client, "pkg model");
    const pkg = await client.modelPackages.create({ customModelVersionId: versionId, name: "pkg (v1)" });
    expect(pkg).toMatchObject({ name: "pkg (v1)", modelId: versionId, buildStatus: "complete" });
    const second = await client.modelPackages.create({ customModelVersionId: versionId });
    expect((await client.modelPackages.listPage({ modelId: versionId })).data.map((p) => p.id)).toEqual([
      second.id,
      pkg.id,
    ]);
    expect((await collect(client.modelPackages.listAll({ modelId: versionId }))).map((p) => p.id)).toEqual([
      second.id,
      pkg.id,
    ]);
    await expect(client.modelPackages.get(pkg.id)).resolves.toMatchObject({ id: pkg.id });
    expect(
      isNotFound(await client.modelPackages.get("0123456789abcdef01234567").catch((e: unknown) => e)),
    ).toBe(true);
    await expect(
      client.modelPackages.create({
        customModelVersionId: versionId,
        registeredModelName: "a",
        registeredModelId: "b",
      }),
    ).rejects.toMatchObject({ code: "invalid-request" });
  });

  it("registers, finds by exact name, updates, lists and updates versions, and refuses a taken name", async () => {
    const { versionId } = await modelAndVersion(client, "registry model");
    const v1 = await client.modelPackages.create({
      customModelVersionId: versionId,
      registeredModelName: "Registry",
    });
    const rmId = v1.registeredModelId ?? "";
    await client.modelPackages.create({
      customModelVersionId: versionId,
      registeredModelName: "Registry extra",
    });
    const v2 = await client.modelPackages.create({
      customModelVersionId: versionId,
      registeredModelId: rmId,
    });
    expect(v2.registeredModelVersion).toBe(2);

    const found = await client.registeredModels.findByName("Registry");
    expect(found?.id).toBe(rmId);
    expect(await client.registeredModels.findByName("registry")).toBeUndefined();
    expect((await collect(client.registeredModels.listAll({ search: "registry" }))).length).toBe(2);
    expect((await client.registeredModels.listPage({ search: "Registry", isGlobal: true })).data).toEqual([]);
    await expect(client.registeredModels.get(rmId)).resolves.toMatchObject({ lastVersionNum: 2 });
    await expect(
      client.registeredModels.update(rmId, { description: "d", isGlobal: true }),
    ).resolves.toMatchObject({
      description: "d",
      isGlobal: true,
    });

    expect(
      (await client.registeredModels.listVersionsPage(rmId, { limit: 1 })).data.map((p) => p.id),
    ).toEqual([v2.id]);
    expect((await collect(client.registeredModels.listVersionsAll(rmId))).map((p) => p.id)).toEqual([
      v2.id,
      v1.id,
    ]);
    await expect(client.registeredModels.getVersion(rmId, v1.id)).resolves.toMatchObject({
      registeredModelVersion: 1,
    });
    await expect(
      client.registeredModels.updateVersion(rmId, v1.id, { name: "Registry (v1)", predictionThreshold: 0.3 }),
    ).resolves.toMatchObject({ name: "Registry (v1)", target: { predictionThreshold: 0.3 } });

    const taken = await client.modelPackages
      .create({ customModelVersionId: versionId, registeredModelName: "Registry" })
      .catch((e: unknown) => e);
    expect(isNameTaken(taken)).toBe(true);
    expect(
      isNameTaken(
        await client.registeredModels.update(rmId, { name: "Registry extra" }).catch((e: unknown) => e),
      ),
    ).toBe(true);
    await client.registeredModels.delete(rmId);
    expect(isNotFound(await client.registeredModels.get(rmId).catch((e: unknown) => e))).toBe(true);
  });

  it("lists and gets prediction environments (the seeded one is always there)", async () => {
    const envs = await collect(
      client.predictionEnvironments.listAll({ supportedModelFormats: "customModel" }),
    );
    expect(envs.map((e) => e.id)).toContain(SEEDED_PREDICTION_ENV);
    expect(
      (await client.predictionEnvironments.listPage({ search: "emulator serverless" })).data[0]?.id,
    ).toBe(SEEDED_PREDICTION_ENV);
    await expect(client.predictionEnvironments.get(SEEDED_PREDICTION_ENV)).resolves.toMatchObject({
      platform: "datarobotServerless",
    });
  });
});

describe("deployments", () => {
  let modelId: string;
  let versionId: string;
  let packageId: string;
  let deploymentId: string;

  beforeAll(async () => {
    ({ modelId, versionId } = await modelAndVersion(client, "deployed model"));
    packageId = (await client.modelPackages.create({ customModelVersionId: versionId })).id;
  });

  it("creates a deployment (waiting until active), idempotently by userProvidedId", async () => {
    const progress: WaitProgress[] = [];
    const input = {
      modelPackageId: packageId,
      label: "Churn",
      importance: "HIGH" as const,
      userProvidedId: "acme/churn",
    };
    const first = await client.deployments.create(input, { onProgress: (p) => progress.push(p) });
    expect(first.existed).toBe(false);
    expect(first.deployment).toMatchObject({
      label: "Churn",
      status: "active",
      importance: "HIGH",
      model: { id: versionId, customModelImage: { customModelId: modelId } },
      modelPackage: { id: packageId },
      predictionEnvironment: { id: SEEDED_PREDICTION_ENV },
    });
    deploymentId = first.deployment.id;
    const again = await client.deployments.create(input);
    expect(again).toMatchObject({ existed: true, deployment: { id: deploymentId } });
    expect((await client.customModels.get(modelId)).deploymentsCount).toBe(1);
    expect((await collect(client.customModels.listAll({ isDeployed: true }))).map((m) => m.id)).toContain(
      modelId,
    );
  });

  it("lists with filters, gets, finds by userProvidedId and updates (204)", async () => {
    const listed = await collect(
      client.deployments.listAll({
        search: "churn",
        importance: ["HIGH", "LOW"],
        serviceHealth: ["passing", "unknown"],
      }),
    );
    expect(listed.map((d) => d.id)).toEqual([deploymentId]);
    expect((await client.deployments.listPage({ role: ["USER"] })).data).toEqual([]);
    await expect(client.deployments.findByUserProvidedId("acme/churn")).resolves.toMatchObject({
      id: deploymentId,
    });
    await expect(
      client.deployments.update(deploymentId, { description: "scores churn" }),
    ).resolves.toBeUndefined();
    await expect(client.deployments.get(deploymentId)).resolves.toMatchObject({
      description: "scores churn",
    });
    await client.deployments.update(deploymentId, { description: null });
    expect((await client.deployments.get(deploymentId)).description).toBeNull();
  });

  it("validates and replaces the model, by package and by version", async () => {
    const own = await client.deployments.validateReplacement(deploymentId, { modelPackageId: packageId });
    expect(own.status).toBe("failing");
    expect(own.checks?.notCurrentModel?.status).toBe("failing");
    const v2 = await client.versions.createFromPrevious(modelId, { isMajorUpdate: true, files: [] });
    const p2 = await client.modelPackages.create({ customModelVersionId: v2.id });
    await expect(
      client.deployments.validateReplacement(deploymentId, { modelPackageId: p2.id }),
    ).resolves.toMatchObject({
      status: "passing",
    });
    const replaced = await client.deployments.replaceModel(
      deploymentId,
      { modelPackageId: p2.id },
      "ACCURACY",
    );
    expect(replaced.modelPackage?.id).toBe(p2.id);
    const v3 = await client.versions.createFromPrevious(modelId, { isMajorUpdate: true, files: [] });
    const byVersion = await client.deployments.replaceModel(
      deploymentId,
      { modelId: v3.id },
      "SCHEDULED_REFRESH",
    );
    expect(byVersion.model?.id).toBe(v3.id);
    await expect(
      client.deployments.replaceModel(deploymentId, { modelId: v3.id }, "OTHER"),
    ).rejects.toMatchObject({
      status: 422,
      apiMessage: expect.stringContaining("already serves") as unknown,
    });
    await expect(
      client.deployments.validateReplacement(deploymentId, { modelId: "x", modelPackageId: "y" }),
    ).rejects.toMatchObject({ code: "invalid-request" });
  });

  it("reads and updates settings, status and challengers", async () => {
    const defaults = await client.deployments.getSettings(deploymentId);
    expect(defaults.predictionIntervals?.percentiles).toEqual([]);
    expect(defaults.associationId?.columnNames).toEqual([]);
    const settings = await client.deployments.updateSettings(deploymentId, {
      challengerModels: { enabled: true },
      predictionsDataCollection: { enabled: true },
    });
    expect(settings.challengerModels?.enabled).toBe(true);
    await expect(client.deployments.updateStatus(deploymentId, "inactive")).resolves.toMatchObject({
      status: "inactive",
    });
    await expect(client.deployments.updateStatus(deploymentId, "active")).resolves.toMatchObject({
      status: "active",
    });

    const other = await modelAndVersion(client, "challenger model");
    const pkg = await client.modelPackages.create({ customModelVersionId: other.versionId });
    const challenger = await client.deployments.createChallenger(deploymentId, {
      modelPackageId: pkg.id,
      name: "c1",
    });
    expect(challenger).toMatchObject({ name: "c1", modelPackage: { id: pkg.id } });
    const all = await client.deployments.listChallengers(deploymentId);
    expect(all.map((c) => c.name)).toEqual(["deployed model", "c1"]);
    expect(all.at(-1)?.model?.id).toBe(other.versionId);
    expect(isStillDeployed(await client.customModels.delete(other.modelId).catch((e: unknown) => e))).toBe(
      true,
    );
  });

  it("lists custom model deployments and reads and collects their logs", async () => {
    const mine = await collect(client.customModelDeployments.listAll([modelId]));
    expect(mine.map((d) => d.id)).toEqual([deploymentId]);
    expect((await client.customModelDeployments.listPage([], { limit: 1 })).data).toHaveLength(1);
    expect(await client.customModelDeployments.logs(deploymentId)).toBe("");
    expect(await client.customModelDeployments.collectLogs(deploymentId)).toBe("");
  });

  it("deletes, waits until gone, and then the model may go", async () => {
    expect(isStillDeployed(await client.customModels.delete(modelId).catch((e: unknown) => e))).toBe(true);
    await client.deployments.delete(deploymentId);
    await client.deployments.waitUntilGone(deploymentId);
    expect(isNotFound(await client.deployments.get(deploymentId).catch((e: unknown) => e))).toBe(true);
    await expect(client.customModels.delete(modelId)).resolves.toBeUndefined();
  });

  it("throws job-failed with the reason for a version that cannot serve; its logs say ERROR", async () => {
    const broken = await modelAndVersion(client, "broken model", false);
    const pkg = await client.modelPackages.create({ customModelVersionId: broken.versionId });
    await expect(
      client.deployments.create({ modelPackageId: pkg.id, label: "broken" }),
    ).rejects.toMatchObject({
      code: "job-failed",
      message: expect.stringContaining("No entry point") as unknown,
    });
    const [errored] = await collect(client.customModelDeployments.listAll([broken.modelId]));
    expect(errored?.status).toBe("errored");
    expect(await client.customModelDeployments.logs(errored?.id ?? "")).toMatch(/^ERROR: No entry point/);
  });
});

describe("waiting on slow jobs", () => {
  let slow: RunningEmulator;
  let slowClient: DataRobotClient;
  beforeAll(async () => {
    slow = await startEmulator({ quiet: true, jobDurationMs: 300 });
    slowClient = connect(slow);
  });
  afterAll(() => slow.stop());

  it("reports progress while a package builds and a deployment launches", async () => {
    const { versionId } = await modelAndVersion(slowClient, "slow");
    const seen: string[] = [];
    const pkg = await slowClient.modelPackages.create(
      { customModelVersionId: versionId },
      { onProgress: (p) => seen.push(p.state) },
    );
    expect(pkg.buildStatus).toBe("complete");
    expect(seen).toContain("RUNNING");
    const states: string[] = [];
    const { deployment } = await slowClient.deployments.create(
      { modelPackageId: pkg.id, label: "slow" },
      { onProgress: (p) => states.push(p.what) },
    );
    expect(deployment.status).toBe("active");
    expect(states.length).toBeGreaterThan(0);
  });

  it("gives up after timeoutMs and stops on an aborted signal", async () => {
    const { versionId } = await modelAndVersion(slowClient, "slow two");
    await expect(
      slowClient.modelPackages.create({ customModelVersionId: versionId }, { timeoutMs: 20 }),
    ).rejects.toMatchObject({ code: "wait-timeout" });
    const pkg = (await collect(slowClient.modelPackages.listAll({ modelId: versionId })))[0];
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    await expect(
      slowClient.deployments.create(
        { modelPackageId: pkg?.id ?? "", label: "aborted" },
        { signal: controller.signal },
      ),
    ).rejects.toMatchObject({ code: "aborted" });
    // The deployment was created before the wait stopped; settings of it still wait correctly.
    const [created] = (await slowClient.deployments.listPage({ search: "aborted" })).data;
    const settings = await slowClient.deployments.updateSettings(created?.id ?? "", {
      targetDrift: { enabled: true },
    });
    expect(settings.targetDrift?.enabled).toBe(true);
  });
});
