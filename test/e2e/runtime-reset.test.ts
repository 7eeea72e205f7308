import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXAMPLES_NAMESPACE as NS, actionsOf, exampleWorld, planJson, type ExampleWorld } from "./harness.js";

const MANIFEST = "examples/manifests/house-price-regressor.yaml";

describe("removing a runtime parameter value from a manifest", { timeout: 120_000 }, () => {
  let world: ExampleWorld;
  beforeAll(async () => {
    world = await exampleWorld();
  }, 120_000);
  afterAll(() => world.stop());

  it("puts the model back on model-metadata.yaml's default, in one version, and the next plan is empty", async () => {
    const { cli, model, repo, env } = world;
    const before = (await model("house-price-regressor")).latestVersion!;
    expect(before.runtimeParameters?.find((p) => p.fieldName === "PRICE_FLOOR")).toMatchObject({
      overrideValue: 25000,
      currentValue: 25000,
    });
    const file = join(repo.dir, MANIFEST);
    const text = await readFile(file, "utf8");
    expect(text).toContain("    PRICE_FLOOR: 25000\n");
    await writeFile(file, text.replace("    PRICE_FLOOR: 25000\n", ""));

    const shown = await cli("plan", "--target", "house-price-regressor");
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('runtimeParameters.PRICE_FLOOR: 25000 -> "(default)"');
    const planned = await planJson(repo.dir, env, "--detailed-exitcode");
    expect(planned.code).toBe(2);
    expect(actionsOf(planned.plan).filter((a) => a.startsWith("createVersion "))).toEqual([
      `createVersion ${NS}/house-price-regressor`,
    ]);

    expect((await cli("apply")).code).toBe(0);
    const after = (await model("house-price-regressor")).latestVersion!;
    expect(after.id).not.toBe(before.id);
    const params = new Map(after.runtimeParameters?.map((p) => [p.fieldName, p]));
    expect(params.get("PRICE_FLOOR")).toMatchObject({
      overrideValue: null,
      defaultValue: 0,
      currentValue: 0,
    });
    // The values the manifest still sets are kept.
    expect(params.get("CURRENCY")).toMatchObject({ overrideValue: "EUR", currentValue: "EUR" });
    expect(params.get("ROUND_TO_HUNDREDS")).toMatchObject({ overrideValue: true });
    expect(params.get("PRICING_API_TOKEN")?.overrideValue).toEqual(expect.any(String));

    expect((await cli("plan", "--detailed-exitcode")).code).toBe(0);
  });
});
