import { appendFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ResourceStatusSchema, type ResourceStatus } from "../../src/reconcile/status.js";
import { exampleWorld, resetStats, stats, type EmulatorStats, type ExampleWorld } from "./harness.js";
import { createStrayModel, failIrisOnSideEffects, IRIS_SIDE_EFFECTS_FAIL } from "./timed-world.js";

const NS = "drgitops-examples";

async function statusJson(world: ExampleWorld): Promise<Record<string, ResourceStatus>> {
  const r = await world.cli("status", "--format", "json");
  expect(r.code).toBe(0);
  const parsed = JSON.parse(r.stdout) as { namespace: string; resources: unknown[] };
  expect(parsed.namespace).toBe(NS);
  const rows = parsed.resources.map((row) => ResourceStatusSchema.parse(row));
  return Object.fromEntries(rows.map((row) => [row.key.slice(NS.length + 1), row]));
}

/** Requests one command makes, by route (the emulator's admin counts). */
async function requestsOf(world: ExampleWorld, ...args: string[]): Promise<EmulatorStats> {
  await resetStats(world.emu);
  const r = await world.cli(...args);
  expect([0, 2]).toContain(r.code);
  return await stats(world.emu);
}

/** status costs what plan costs on the same state: it is the plan, read another way. */
async function expectSameCostAsPlan(world: ExampleWorld): Promise<void> {
  // Once first, so the version cache is as warm for both as it is for the second of them.
  await world.cli("plan");
  const plan = await requestsOf(world, "plan");
  const status = await requestsOf(world, "status");
  expect(status.total).toBe(plan.total);
  expect(status.requests).toEqual(plan.requests);
}

describe("status", { timeout: 240_000 }, () => {
  let world: ExampleWorld;

  beforeAll(async () => {
    world = await exampleWorld({ scenario: IRIS_SIDE_EFFECTS_FAIL });
  }, 120_000);
  afterAll(async () => {
    await world.stop();
  });

  it("after apply: everything in sync, with the latest version, when it was made, its test and its commit", async () => {
    const rows = await statusJson(world);
    expect(Object.values(rows).every((r) => r.state === "in sync")).toBe(true);
    const commit = (await world.cli("status")).stdout;
    expect(rows["churn-classifier"]).toMatchObject({
      kind: "CustomModel",
      version: { label: "1.0" },
      test: "succeeded",
    });
    expect(rows["iris-classifier"]!.test).toBe("warning");
    expect(rows["churn-classifier"]!.version!.created).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(rows["churn-classifier"]!.commit).toMatch(/^[0-9a-f]{7,}$/);
    expect(rows["python311-sklearn"]).toMatchObject({ kind: "ExecutionEnvironment", state: "in sync" });
    // Each deployment shows what it serves; each registered model its newest registered version.
    expect(rows["churn-prod"]).toMatchObject({ kind: "Deployment", serves: "Customer churn classifier 1.0" });
    expect(rows["churn-prod"]!.details).toMatchObject({ status: "active", importance: "HIGH" });
    expect(rows["tagger-prod"]).toMatchObject({ kind: "Deployment", serves: "Support message tagger 1.0" });
    expect(rows["churn"]).toMatchObject({ kind: "RegisteredModel", version: { label: "v1" } });
    expect(commit).toMatch(
      /drgitops-examples\/churn-prod\s+deployment\s+in sync\s.*Customer churn classifier 1\.0$/m,
    );
    expect(commit).toMatch(/Status: 17 in sync, 0 changes pending, 0 drifted, 0 gate failed, 0 unmanaged\./);
    await expectSameCostAsPlan(world);
  });

  it("after a local edit, an out-of-band change, a failed test and a stray model: the five states, in human and JSON form", async () => {
    // A local edit: apply would make a new version.
    await appendFile(join(world.repo.dir, "examples/models/house-price-regressor/custom.py"), "# edited\n");
    // A change through the API, outside drgitops.
    const churn = await world.model("churn-classifier");
    await world.client.customModels.update(churn.id, { name: "Churn (renamed in the UI)" });
    // A failing test gate: sideEffects in `fail` mode, applied to that model alone.
    await failIrisOnSideEffects(world.repo.dir);
    expect((await world.cli("apply", "--yes", "--target", "iris-classifier")).code).toBe(7);
    // A model in the namespace that no manifest declares.
    await createStrayModel(world.client);

    const rows = await statusJson(world);
    expect(rows["house-price-regressor"]).toMatchObject({ state: "changes pending" });
    expect(rows["house-price-regressor"]!.reasons).toContain("createVersion: files changed");
    expect(rows["churn-classifier"]!.state).toBe("drifted");
    expect(rows["iris-classifier"]).toMatchObject({ state: "gate failed", test: "failed" });
    expect(rows["iris-classifier"]!.reasons[0]).toMatch(/^gate: the latest test of version 1\.0 failed/);
    expect(rows["stray"]).toMatchObject({ state: "unmanaged", version: null });
    expect(rows["document-tagger"]!.state).toBe("in sync");

    const human = await world.cli("status");
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/drgitops-examples\/house-price-regressor\s+model\s+changes pending\s+1\.0/);
    expect(human.stdout).toMatch(/drgitops-examples\/churn-classifier\s+model\s+drifted\s+1\.0/);
    expect(human.stdout).toMatch(
      /drgitops-examples\/iris-classifier\s+model\s+gate failed\s+1\.0\s+\S+ \S+\s+failed/,
    );
    expect(human.stdout).toMatch(/drgitops-examples\/stray\s+model\s+unmanaged\s+-/);
    expect(human.stdout).toContain(
      "Status: 14 in sync, 1 changes pending, 1 drifted, 1 gate failed, 1 unmanaged.",
    );
    await expectSameCostAsPlan(world);
  });
});
