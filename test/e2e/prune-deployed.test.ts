import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXAMPLES_NAMESPACE as NS, actionsOf, exampleWorld, planJson, type ExampleWorld } from "./harness.js";

// Two real deployments of the tagger's latest version, made through the API as a user would, next
// to the one its manifest (tagger-prod) makes.
describe("prune never deletes a deployed model", { timeout: 120_000 }, () => {
  let world: ExampleWorld;
  beforeAll(async () => {
    world = await exampleWorld();
    const tagger = await world.model("document-tagger");
    const pkg = await world.client.modelPackages.create({
      customModelVersionId: tagger.latestVersion?.id ?? "",
    });
    for (const label of ["tagger prod", "tagger canary"])
      await world.client.deployments.create({ modelPackageId: pkg.id, label });
  }, 120_000);
  afterAll(() => world.stop());

  it("plans the deletion of an undeployed orphan only, and says why the deployed one stays", async () => {
    const { cli, model, repo, env } = world;
    expect((await model("document-tagger")).deploymentsCount).toBe(3);
    await rm(join(repo.dir, "examples/manifests/document-tagger.yaml"));
    await rm(join(repo.dir, "examples/manifests/iris-classifier.yaml"));
    const { plan } = await planJson(repo.dir, env, "--prune");
    expect(actionsOf(plan).filter((a) => a.startsWith("deleteModel"))).toEqual([
      `deleteModel ${NS}/iris-classifier`,
    ]);
    // Its managed deployment goes with the manifest file; the two made elsewhere are not drgitops'.
    expect(actionsOf(plan).filter((a) => a.startsWith("deleteDeployment"))).toEqual([
      `deleteDeployment ${NS}/tagger-prod`,
    ]);
    const refusal = plan.refusals.find((r) => r.key === `${NS}/document-tagger`);
    expect(refusal?.reason).toMatch(/3 deployment\(s\)/);

    const applied = await cli("apply", "--prune");
    expect(applied.code).toBe(0);
    expect((await model("document-tagger")).deploymentsCount).toBe(2);
    await expect(model("iris-classifier")).rejects.toThrow(/not found/);
  });
});
