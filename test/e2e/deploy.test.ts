import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  EXAMPLES_NAMESPACE as NS,
  actionsOf,
  countRequests as count,
  deploymentOf,
  exampleWorld,
  planJson,
  resetStats,
  servedVersion,
  stats,
  writeRequests,
  type ExampleWorld,
} from "./harness.js";

const VERSION_CREATES = /^\/api\/v2\/customModels\/:\w+\/versions\/?$/;
const PACKAGE_CREATES = /^\/api\/v2\/modelPackages\/fromCustomModelVersion\/?$/;
const REPLACEMENTS = /^\/api\/v2\/deployments\/:\w+\/model\/?$/;
const DEPLOYMENT_CREATES = /^\/api\/v2\/deployments\/fromModelPackage\/?$/;
const SETTINGS = /^\/api\/v2\/deployments\/:\w+\/settings\/?$/;
const TESTS_STARTED = /^\/api\/v2\/customModelTests\/?$/;

const MODEL_OF: Record<string, string> = {
  "churn-prod": "churn-classifier",
  "tagger-prod": "document-tagger",
};

async function edit(world: ExampleWorld, relative: string, change: (text: string) => string): Promise<void> {
  const file = join(world.repo.dir, relative);
  await writeFile(file, change(await readFile(file, "utf8")));
}

/** Each example deployment serves the latest version of its model. */
async function expectServingLatest(world: ExampleWorld): Promise<void> {
  for (const [deployment, modelName] of Object.entries(MODEL_OF)) {
    const latest = (await world.model(modelName)).latestVersion?.id;
    expect(servedVersion(await deploymentOf(world.client, deployment)), deployment).toBe(latest);
  }
}

describe("from commit to deployment, on the examples", { timeout: 180_000 }, () => {
  let world: ExampleWorld;
  beforeAll(async () => {
    world = await exampleWorld();
  }, 120_000);
  afterAll(() => world.stop());

  it("apply ends with each deployment serving its model's latest version; then nothing to plan or write", async () => {
    await expectServingLatest(world);
    const churnProd = await deploymentOf(world.client, "churn-prod");
    expect(churnProd?.importance).toBe("HIGH");
    const settings = await world.client.deployments.getSettings(churnProd!.id);
    expect([settings.targetDrift?.enabled, settings.featureDrift?.enabled]).toEqual([true, true]);
    // Feature impact of the tested model's version was computed before it was registered.
    const churn = await world.model("churn-classifier");
    expect((await world.client.featureImpact.get(churn.id, churn.latestVersion!.id)).featureImpacts).toEqual(
      [],
    );

    await resetStats(world.emu);
    const planned = await world.cli("plan", "--detailed-exitcode");
    expect(planned.code).toBe(0);
    expect(count(await stats(world.emu), "GET", SETTINGS)).toBe(0);
    await resetStats(world.emu);
    expect((await world.cli("apply")).code).toBe(0);
    expect(writeRequests(await stats(world.emu))).toEqual({});
  });

  it("an edit to one model's file: one new version, one registered version, one replacement, nothing else", async () => {
    const before = await deploymentOf(world.client, "tagger-prod");
    await edit(world, "examples/models/churn-classifier/custom.py", (t) => `${t}\n# retrained\n`);
    const { plan } = await planJson(world.repo.dir, world.env, "--detailed-exitcode");
    expect(actionsOf(plan)).toEqual([
      `createVersion ${NS}/churn-classifier`,
      `buildDependencies ${NS}/churn-classifier`,
      `runTest ${NS}/churn-classifier`,
      `featureImpact ${NS}/churn-classifier`,
      `registerVersion ${NS}/churn`,
      `replaceDeploymentModel ${NS}/churn-prod`,
    ]);
    await resetStats(world.emu);
    const applied = await world.cli("apply");
    expect(applied.code).toBe(0);
    const s = await stats(world.emu);
    expect(count(s, "PATCH", VERSION_CREATES) + count(s, "POST", VERSION_CREATES)).toBe(1);
    expect(count(s, "POST", PACKAGE_CREATES)).toBe(1);
    expect(count(s, "PATCH", REPLACEMENTS)).toBe(1);
    expect(count(s, "POST", DEPLOYMENT_CREATES)).toBe(0);
    expect(count(s, "PATCH", SETTINGS)).toBe(0);
    await expectServingLatest(world);
    expect((await deploymentOf(world.client, "tagger-prod"))?.modelPackage?.id).toBe(
      before?.modelPackage?.id,
    );
    expect((await world.cli("plan", "--detailed-exitcode")).code).toBe(0);
  });

  it("a champion replaced through the API is drift (exit 6), and apply restores it", async () => {
    const d = (await deploymentOf(world.client, "churn-prod"))!;
    const served = d.modelPackage!.id;
    const older = (await world.client.modelPackages.listPage({})).data.find(
      (p) => p.registeredModelId === d.modelPackage?.registeredModelId && p.id !== served,
    )!;
    await world.client.deployments.replaceModel(d.id, { modelPackageId: older.id }, "OTHER");
    const drift = await planJson(world.repo.dir, world.env, "--detect-drift");
    expect(drift.code).toBe(6);
    expect(drift.plan.drift.map((x) => [x.key, x.subject])).toEqual([[`${NS}/churn-prod`, "deployment"]]);
    expect(actionsOf(drift.plan)).toEqual([`replaceDeploymentModel ${NS}/churn-prod`]);
    expect((await world.cli("apply")).code).toBe(0);
    expect((await deploymentOf(world.client, "churn-prod"))?.modelPackage?.id).toBe(served);
    expect((await world.cli("plan", "--detect-drift", "--detailed-exitcode")).code).toBe(0);
  });

  it("a label or a setting edited through the API is drift; settings are read for it only with --detect-drift", async () => {
    const d = (await deploymentOf(world.client, "churn-prod"))!;
    await world.client.deployments.updateSettings(d.id, { targetDrift: { enabled: false } });
    // The listing does not show settings and the trailer vouches for them: a plain plan cannot see this.
    await resetStats(world.emu);
    expect((await world.cli("plan", "--detailed-exitcode")).code).toBe(0);
    expect(count(await stats(world.emu), "GET", SETTINGS)).toBe(0);
    await resetStats(world.emu);
    const drift = await planJson(world.repo.dir, world.env, "--detect-drift");
    expect(drift.code).toBe(6);
    expect(count(await stats(world.emu), "GET", SETTINGS)).toBe(2);
    expect(drift.plan.drift.map((x) => x.summary)).toEqual(["settings.targetDrift changed outside drgitops"]);

    await world.client.deployments.update(d.id, { label: "Renamed in the UI" });
    const both = await planJson(world.repo.dir, world.env, "--detect-drift");
    expect(both.plan.drift.map((x) => x.summary)).toEqual([
      "label, settings.targetDrift changed outside drgitops",
    ]);
    // A plain apply sees the label (it is in the listing); --detect-drift restores the setting too.
    expect((await world.cli("apply", "--detect-drift")).code).toBe(0);
    const after = (await deploymentOf(world.client, "churn-prod"))!;
    expect(after.label).toBe("Customer churn (prod)");
    expect((await world.client.deployments.getSettings(after.id)).targetDrift?.enabled).toBe(true);
    expect((await world.cli("plan", "--detect-drift", "--detailed-exitcode")).code).toBe(0);
  });

  it("prune deletes a deployment whose manifest is gone only with --prune, never a protected one, and keeps its model while it exists", async () => {
    const churnFile = "examples/manifests/churn-classifier.yaml";
    await edit(world, churnFile, (t) => t.slice(0, t.lastIndexOf("---\n# Serves the newest")));
    await rm(join(world.repo.dir, "examples/manifests/document-tagger.yaml"));

    const plain = await planJson(world.repo.dir, world.env);
    expect(actionsOf(plain.plan).filter((a) => a.startsWith("delete"))).toEqual([]);

    const pruning = await planJson(world.repo.dir, world.env, "--prune");
    expect(actionsOf(pruning.plan).filter((a) => a.startsWith("delete"))).toEqual([
      `deleteDeployment ${NS}/tagger-prod`,
    ]);
    const reasons: Record<string, string> = Object.fromEntries(
      pruning.plan.refusals.map((r) => [r.key ?? "", r.reason]),
    );
    expect(reasons[`${NS}/churn-prod`]).toMatch(/protected/);
    expect(reasons[`${NS}/document-tagger`]).toMatch(/1 deployment\(s\)/);

    const capped = await world.cli("apply", "--prune", "--max-deletions", "0");
    expect(capped.code).toBe(1);
    expect(capped.stderr).toContain("tagger-prod");
    expect(await deploymentOf(world.client, "tagger-prod")).toBeDefined();

    expect((await world.cli("apply", "--prune")).code).toBe(0);
    expect(await deploymentOf(world.client, "tagger-prod")).toBeUndefined();
    expect(await deploymentOf(world.client, "churn-prod")).toBeDefined();
    expect((await world.model("document-tagger")).deploymentsCount).toBe(0);
    // No deployment holds it any more: the model goes on the next run.
    const next = await planJson(world.repo.dir, world.env, "--prune");
    expect(actionsOf(next.plan)).toEqual([`deleteModel ${NS}/document-tagger`]);
  });
});

describe("a failed test stops the chain", { timeout: 180_000 }, () => {
  let world: ExampleWorld;
  beforeAll(async () => {
    world = await exampleWorld();
  }, 120_000);
  afterAll(() => world.stop());

  it("nothing is registered, the deployment keeps its champion, exit 7, and the gate holds on re-run", async () => {
    const before = await deploymentOf(world.client, "churn-prod");
    const packagesBefore = (await world.client.modelPackages.listPage({})).totalCount;
    // Without an entry point the test's errorCheck fails (a real check of the emulator).
    const dir = join(world.repo.dir, "examples/models/churn-classifier");
    await rename(join(dir, "custom.py"), join(dir, "scoring.py"));

    const first = await world.cli("apply");
    expect(first.code).toBe(7);
    expect(first.stdout).toMatch(/skipped\s+registerVersion drgitops-examples\/churn \(dependency-gated\)/);
    expect(first.stdout).toMatch(
      /skipped\s+replaceDeploymentModel drgitops-examples\/churn-prod \(dependency-gated\)/,
    );
    expect(first.stdout).toMatch(/churn-prod\s+skipped/);
    expect((await world.client.modelPackages.listPage({})).totalCount).toBe(packagesBefore);
    const after = await deploymentOf(world.client, "churn-prod");
    expect(after?.modelPackage?.id).toBe(before?.modelPackage?.id);

    await resetStats(world.emu);
    const again = await world.cli("apply");
    expect(again.code).toBe(7);
    const s = await stats(world.emu);
    expect(count(s, "POST", TESTS_STARTED)).toBe(0);
    expect(count(s, "POST", PACKAGE_CREATES)).toBe(0);
    expect(count(s, "PATCH", REPLACEMENTS)).toBe(0);
    const { plan } = await planJson(world.repo.dir, world.env);
    expect(plan.gate.map((g) => g.key)).toEqual([`${NS}/churn-classifier`]);
    expect(plan.refusals.find((r) => r.key === `${NS}/churn`)?.reason).toMatch(/^not registered/);
  });
});

describe("a replacement whose validation fails", { timeout: 180_000 }, () => {
  let world: ExampleWorld;
  beforeAll(async () => {
    world = await exampleWorld({
      scenario:
        "models:\n  drgitops-examples/document-tagger:\n    deploymentValidation: {outcome: fail, check: targetName, message: target renamed upstream}\n" +
        // Dormant until the second test turns featureImpact on for this model.
        "    featureImpact: {outcome: fail, message: not enough rows for feature impact}\n",
    });
  }, 120_000);
  afterAll(() => world.stop());

  it("is a failed action naming the checks; the deployment is unchanged and other models go on", async () => {
    const before = await deploymentOf(world.client, "tagger-prod");
    const iris = await world.model("iris-classifier");
    await edit(world, "examples/models/document-tagger/keywords.json", (t) =>
      t.replace("{", '{"urgent": ["asap"], '),
    );
    await edit(world, "examples/models/iris-classifier/custom.py", (t) => `${t}\n# tuned\n`);

    const applied = await world.cli("apply");
    expect(applied.code).toBe(4);
    expect(applied.stdout).toMatch(
      /FAILED\s+replaceDeploymentModel drgitops-examples\/tagger-prod: .*targetName: target renamed upstream/,
    );
    expect((await deploymentOf(world.client, "tagger-prod"))?.modelPackage?.id).toBe(
      before?.modelPackage?.id,
    );
    // The registration went through; only the replacement was refused.
    const tagger = await world.model("document-tagger");
    const registered = (await world.client.modelPackages.listPage({ modelId: tagger.latestVersion!.id }))
      .data;
    expect(registered).toHaveLength(1);
    expect((await world.model("iris-classifier")).latestVersion?.id).not.toBe(iris.latestVersion?.id);

    // Still to do on the next run, and not mistaken for drift.
    const { plan } = await planJson(world.repo.dir, world.env, "--detect-drift");
    expect(actionsOf(plan)).toEqual([`replaceDeploymentModel ${NS}/tagger-prod`]);
    expect(plan.drift).toEqual([]);
  });

  it("a failed feature impact is a failed action: nothing is registered and the deployment keeps its champion", async () => {
    const before = await deploymentOf(world.client, "tagger-prod");
    const packagesBefore = (await world.client.modelPackages.listPage({})).totalCount;
    await edit(world, "examples/manifests/document-tagger.yaml", (t) =>
      t.replace("  trainingData:\n", "  featureImpact: true\n  trainingData:\n"),
    );
    await edit(world, "examples/models/document-tagger/keywords.json", (t) =>
      t.replace("{", '{"refund": ["money back"], '),
    );
    const { plan } = await planJson(world.repo.dir, world.env);
    expect(actionsOf(plan)).toEqual([
      `createVersion ${NS}/document-tagger`,
      `buildDependencies ${NS}/document-tagger`,
      `featureImpact ${NS}/document-tagger`,
      `registerVersion ${NS}/tagger`,
      `replaceDeploymentModel ${NS}/tagger-prod`,
    ]);
    const applied = await world.cli("apply");
    expect(applied.code).toBe(4);
    expect(applied.stdout).toMatch(
      /FAILED\s+featureImpact drgitops-examples\/document-tagger: .*not enough rows for feature impact/,
    );
    expect(applied.stdout).toMatch(
      /skipped\s+registerVersion drgitops-examples\/tagger \(dependency-failed\)/,
    );
    expect((await world.client.modelPackages.listPage({})).totalCount).toBe(packagesBefore);
    expect((await deploymentOf(world.client, "tagger-prod"))?.modelPackage?.id).toBe(
      before?.modelPackage?.id,
    );
    // The next run makes sure of feature impact before it registers: it fails again, registering nothing.
    const again = await world.cli("apply");
    expect(again.code).toBe(4);
    expect(again.stdout).toMatch(/FAILED\s+registerVersion drgitops-examples\/tagger: .*not enough rows/);
    expect((await world.client.modelPackages.listPage({})).totalCount).toBe(packagesBefore);
  });
});
