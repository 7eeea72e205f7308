import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXAMPLES_NAMESPACE as NS, actionsOf, exampleWorld, planJson, type ExampleWorld } from "./harness.js";

// The emulator has no deployments; its scenario file stands in for one on the tagger model.
describe("prune never deletes a deployed model", { timeout: 120_000 }, () => {
  let world: ExampleWorld;
  beforeAll(async () => {
    world = await exampleWorld({ scenario: `models:\n  "${NS}/document-tagger": {deploymentsCount: 2}\n` });
  }, 120_000);
  afterAll(() => world.stop());

  it("plans the deletion of an undeployed orphan only, and says why the deployed one stays", async () => {
    const { cli, model, repo, env } = world;
    await rm(join(repo.dir, "examples/manifests/document-tagger.yaml"));
    await rm(join(repo.dir, "examples/manifests/iris-classifier.yaml"));
    const { plan } = await planJson(repo.dir, env, "--prune");
    expect(actionsOf(plan).filter((a) => a.startsWith("deleteModel"))).toEqual([
      `deleteModel ${NS}/iris-classifier`,
    ]);
    const refusal = plan.refusals.find((r) => r.key === `${NS}/document-tagger`);
    expect(refusal?.reason).toMatch(/2 deployment\(s\)/);

    const applied = await cli("apply", "--prune");
    expect(applied.code).toBe(0);
    expect((await model("document-tagger")).id).toBeTruthy();
    await expect(model("iris-classifier")).rejects.toThrow(/not found/);
  });
});
