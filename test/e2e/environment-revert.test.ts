import { appendFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { duplicateReport, exampleWorld, git, type ExampleWorld } from "./harness.js";

const DOCKERFILE = "examples/envs/python311-sklearn/Dockerfile";

describe("a docker context reverted to an already-built state", { timeout: 180_000 }, () => {
  let world: ExampleWorld;

  beforeAll(async () => {
    world = await exampleWorld();
  }, 120_000);
  afterAll(async () => {
    await world.stop();
  });

  async function versionsOf(name: string): Promise<number> {
    const model = await world.model(name);
    let n = 0;
    for await (const _ of world.client.versions.listAll(model.id)) n += 1;
    return n;
  }

  it("converges in one apply: plan and apply agree on reusing the earlier build", async () => {
    await appendFile(join(world.repo.dir, DOCKERFILE), "RUN echo edited\n");
    expect((await world.cli("apply")).code).toBe(0);
    // Back to the committed context, whose build already exists (the first of the environment).
    await git(world.repo.dir, "checkout", "--", DOCKERFILE);
    const revert = await world.cli("apply");
    expect(revert.code).toBe(0);
    expect(revert.stdout).not.toMatch(/^done {5}buildEnvironmentVersion/m);
    const after = await versionsOf("iris-classifier");
    // Nothing left to do: the next plan is empty and the next apply makes no version.
    expect((await world.cli("plan", "--detailed-exitcode")).code).toBe(0);
    expect((await world.cli("apply")).code).toBe(0);
    expect(await versionsOf("iris-classifier")).toBe(after);
    // Two builds in all (the original context, the edit), never a third for the reverted one.
    const report = await duplicateReport(world.client);
    expect(report.environmentVersions["Python 3.11 scikit-learn (drgitops examples)"]).toBe(2);
    expect(Object.values(report.environmentsByName).every((n) => n === 1)).toBe(true);
  });
});
