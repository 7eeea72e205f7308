import { afterEach, describe, expect, it } from "vitest";
import { parseScenario } from "../../../src/emulator/domain/scenario.js";
import {
  builtPackage,
  deployed,
  deployedModel,
  finished,
  modelWithVersion,
  start,
  statusPath,
  tempDir,
  writeTemp,
  type Json,
} from "./harness.js";

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function withScenario(yaml: string) {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const started = await start({ jobDurationMs: 0, scenarioFile: writeTemp(dir, "scenario.yaml", yaml) });
  cleanups.push(() => started.emu.stop());
  return started;
}

describe("scenario file: deployments (README 'Scenario file')", () => {
  it("scripts a failing validation naming its check, for the model by userProvidedId, refusing replacement and challengers", async () => {
    const { api } = await withScenario(
      [
        "models:",
        '  "acme/candidate":',
        "    deploymentValidation: {outcome: fail, check: targetName, message: target drifted in training}",
      ].join("\n"),
    );
    const { deploymentId } = await deployedModel(api);
    const candidate = await modelWithVersion(api, { userProvidedId: "acme/candidate" });
    const reply = await api.post(`deployments/${deploymentId}/model/validation/`, {
      modelId: candidate.versionId,
    });
    expect(reply.body).toMatchObject({
      status: "failing",
      message: "target drifted in training",
      checks: {
        targetName: { status: "failing", message: "target drifted in training" },
        targetType: { status: "passing" },
      },
    });
    const replace = await api.patch(`deployments/${deploymentId}/model/`, {
      modelId: candidate.versionId,
      reason: "OTHER",
    });
    expect(replace.status).toBe(422);
    expect((replace.body as Json).message).toBe("target drifted in training");
    await finished(
      api,
      await api.patch(`deployments/${deploymentId}/settings/`, { challengerModels: { enabled: true } }),
    );
    const pkg = await builtPackage(api, candidate.versionId);
    const challenger = await api.post(`deployments/${deploymentId}/challengers/`, {
      modelPackageId: pkg.id,
      name: "c",
    });
    expect(challenger.status).toBe(422);
    // Models the scenario does not name still pass.
    const plain = await modelWithVersion(api);
    const ok = await api.post(`deployments/${deploymentId}/model/validation/`, { modelId: plain.versionId });
    expect((ok.body as Json).status).toBe("passing");
  });

  it("`pass` makes every check pass, even a real failure (by model name)", async () => {
    const { api } = await withScenario('models:\n  "lenient":\n    deploymentValidation: pass\n');
    const { deploymentId } = await deployedModel(api);
    const other = await modelWithVersion(api, { name: "lenient", targetType: "Binary", targetName: "b" });
    const body = (
      await api.post(`deployments/${deploymentId}/model/validation/`, { modelId: other.versionId })
    ).body as Json;
    expect(body.status).toBe("passing");
    expect((body.checks as Json).targetType).toMatchObject({ status: "passing" });
  });

  it("scripts an errored deployment: the job ends ERROR with the message, logs say ERROR: <reason>", async () => {
    const { api } = await withScenario(
      'models:\n  "acme/flaky":\n    deployment: {outcome: fail, message: "OOMKilled: container exceeded 512Mi"}\n',
    );
    const { versionId, modelId } = await modelWithVersion(api, { userProvidedId: "acme/flaky" });
    const pkg = await builtPackage(api, versionId);
    const reply = await api.post("deployments/fromModelPackage/", { modelPackageId: pkg.id, label: "flaky" });
    const id = (reply.body as Json).id as string;
    const status = await api.waitForStatus(statusPath(reply));
    expect(status.body).toMatchObject({
      status: "ERROR",
      message: `Deployment ${id} failed: OOMKilled: container exceeded 512Mi`,
    });
    expect(((await api.get(`deployments/${id}/`)).body as Json).status).toBe("errored");
    expect((await api.get(`customModelDeployments/${id}/logs/`)).text).toBe(
      "ERROR: OOMKilled: container exceeded 512Mi\n",
    );
    const collected = await finished(api, await api.post(`customModelDeployments/${id}/logs/`));
    expect((await api.get(collected)).text).toContain("ERROR: OOMKilled");
    expect(((await api.get(`customModels/${modelId}/`)).body as Json).deploymentsCount).toBe(1);
  });

  it("scripts a failing feature impact: the job ends ERROR with the message, and nothing is calculated", async () => {
    const { api } = await withScenario(
      'models:\n  "acme/impact":\n    featureImpact: {outcome: fail, message: "not enough rows"}\n',
    );
    const failing = await modelWithVersion(api, { userProvidedId: "acme/impact" });
    const path = `customModels/${failing.modelId}/versions/${failing.versionId}/featureImpact/`;
    const reply = await api.post(path);
    expect(reply.status).toBe(202);
    expect((await api.waitForStatus(statusPath(reply))).body).toMatchObject({
      status: "ERROR",
      message: "not enough rows",
    });
    expect((await api.get(path)).status).toBe(404);
    // A model the scenario does not name computes it.
    const plain = await modelWithVersion(api);
    const plainPath = `customModels/${plain.modelId}/versions/${plain.versionId}/featureImpact/`;
    await finished(api, await api.post(plainPath));
    expect((await api.get(plainPath)).body).toMatchObject({ featureImpacts: [] });
  });

  it("reports bad keys with file, line and field; deploymentsCount is gone, a failure must name its check", () => {
    const text = [
      "models:",
      "  m:",
      "    deploymentsCount: 2",
      "    deploymentValidation: {outcome: fail}",
      "    deployment: sometimes",
      "  n:",
      "    deploymentValidation: {outcome: fail, check: colour}",
    ].join("\n");
    let message = "";
    try {
      parseScenario(text, "s.yaml");
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(
      /s\.yaml:3: models\.m\.deploymentsCount: unknown key \(deploymentsCount now counts real deployments/,
    );
    expect(message).toMatch(
      /s\.yaml:4: models\.m\.deploymentValidation: a failing validation names its check: check: targetType \| targetName/,
    );
    expect(message).toMatch(/s\.yaml:5: models\.m\.deployment: expected "pass", "fail"/);
    expect(message).toMatch(/s\.yaml:7: models\.n\.deploymentValidation/);
  });
});

describe("deployments across a restart and a reset", () => {
  it("finishes a deployment job in flight at shutdown after a restart on the same data dir, exactly once", async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const slow = await start({ dataDir: dir, jobDurationMs: 400 });
    const { versionId } = await modelWithVersion(slow.api);
    const pkg = await slow.api.post("modelPackages/fromCustomModelVersion/", {
      customModelVersionId: versionId,
    });
    const reply = await slow.api.post("deployments/fromModelPackage/", {
      modelPackageId: (pkg.body as Json).id,
      label: "r",
    });
    const id = (reply.body as Json).id as string;
    const location = statusPath(reply);
    const statusId = location.split("/").at(-2) ?? "";
    expect(((await slow.api.get(`deployments/${id}/`)).body as Json).status).toBe("launching");
    await slow.emu.stop();

    const again = await start({ dataDir: dir, jobDurationMs: 0 });
    cleanups.push(() => again.emu.stop());
    // The job keeps its own duration; it ends once that has passed, after the restart.
    const done = await again.api.waitForStatus(`status/${statusId}/`);
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe(`${again.emu.url}/deployments/${id}/`);
    expect(((await again.api.get(`deployments/${id}/`)).body as Json).status).toBe("active");
    expect(
      ((await again.api.get(`modelPackages/${(pkg.body as Json).id as string}/`)).body as Json).buildStatus,
    ).toBe("complete");
    const list = (await again.api.get("deployments/")).body as Json;
    expect(list.totalCount).toBe(1);
  });

  it("POST /__emulator/reset clears packages, registered models, deployments and own prediction environments, keeping the seeded one", async () => {
    const { emu, api } = await start({ jobDurationMs: 0 });
    cleanups.push(() => emu.stop());
    const { versionId } = await modelWithVersion(api);
    const pkg = await builtPackage(api, versionId, { registeredModelName: "reset me" });
    const env = (await api.post("predictionEnvironments/", { name: "own", platform: "aws" })).body as Json;
    await deployed(api, pkg.id as string, { predictionEnvironmentId: env.id });
    const reset = await fetch(`${emu.origin}/__emulator/reset`, {
      method: "POST",
      headers: { Authorization: `Token ${emu.token}` },
    });
    expect(reset.status).toBe(204);
    for (const path of ["modelPackages/", "registeredModels/", "deployments/", "customModelDeployments/"])
      expect(((await api.get(path)).body as Json).totalCount, path).toBe(0);
    const envs = ((await api.get("predictionEnvironments/")).body as Json).data as Json[];
    expect(envs.map((e) => e.name)).toEqual(["Emulator Serverless"]);
    // And it works again afterwards.
    const fresh = await modelWithVersion(api);
    expect((await deployed(api, (await builtPackage(api, fresh.versionId)).id as string)).status).toBe(
      "active",
    );
  });
});
