import { afterEach, describe, expect, it } from "vitest";
import { loadProject } from "../../src/spec/index.js";
import { models } from "./loaded.js";
import { makeProject, MODEL_FILES } from "./project-builder.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** A Regression model with `spec` lines of its own (no test section unless given). */
function regression(lines: string[]): string {
  return [
    "apiVersion: drgitops/v1",
    "kind: CustomModel",
    "metadata: {name: alpha}",
    "spec:",
    "  targetType: Regression",
    "  targetName: y",
    "  environment: {id: env-1}",
    "  source: {path: ./model}",
    ...lines,
    "",
  ].join("\n");
}

async function load(manifest: string, config?: string) {
  const p = await makeProject({
    ...MODEL_FILES,
    "m.yaml": manifest,
    ...(config !== undefined ? { "drgitops.yaml": config } : {}),
  });
  cleanups.push(p.cleanup);
  return await loadProject({ paths: ["m.yaml"], cwd: p.root });
}

const codes = (r: Awaited<ReturnType<typeof load>>) => r.issues.map((i) => `${i.code} ${i.path.join(".")}`);

describe("an untested model", () => {
  it("validates without a test section, whatever its target type", async () => {
    const result = await load(regression([]));
    expect(result.issues).toEqual([]);
    expect(models(result.project)[0]?.manifest.spec.test).toBeUndefined();
  });

  it("still needs a dataset inside a test section", async () => {
    const result = await load(regression(["  test: {checks: {sideEffects: warn}}"]));
    expect(codes(result)).toEqual(["test-dataset-required spec.test.dataset"]);
    expect(result.issues[0]?.message).toContain("remove spec.test to leave the model untested");
  });
});

describe("spec.tags", () => {
  it("is a map of names to strings", async () => {
    const result = await load(regression(["  tags: {team: risk, tier: gold}"]));
    expect(result.issues).toEqual([]);
    expect(models(result.project)[0]?.manifest.spec.tags).toEqual({ team: "risk", tier: "gold" });
  });

  it("refuses a value that is not a string, and a list", async () => {
    expect(codes(await load(regression(["  tags: {tier: 1}"])))).toEqual(["invalid-type spec.tags.tier"]);
    expect(codes(await load(regression(["  tags: [team]"])))).toEqual(["invalid-type spec.tags"]);
  });

  it("can be left to the UI with lifecycle.ignoreChanges", async () => {
    const result = await load(regression(["  tags: {a: b}", "  lifecycle: {ignoreChanges: [tags]}"]));
    expect(result.issues).toEqual([]);
  });
});

describe("spec.resources.bundle", () => {
  it("takes a resource bundle id instead of memory", async () => {
    const result = await load(regression(["  resources: {bundle: cpu.small, replicas: 2}"]));
    expect(result.issues).toEqual([]);
    expect(models(result.project)[0]?.manifest.spec.resources).toEqual({ bundle: "cpu.small", replicas: 2 });
  });

  it("refuses memory and bundle together, at the bundle", async () => {
    const result = await load(regression(["  resources: {memory: 1Gi, bundle: cpu.small}"]));
    expect(codes(result)).toEqual(["memory-bundle-conflict spec.resources.bundle"]);
    expect(result.issues[0]).toMatchObject({ line: 9, severity: "error" });
  });

  it("refuses an empty bundle id", async () => {
    expect(codes(await load(regression(['  resources: {bundle: ""}'])))).toEqual([
      "out-of-range spec.resources.bundle",
    ]);
  });

  it("wins over a memory from drgitops.yaml defaults, and a manifest's memory over a default bundle", async () => {
    const withBundle = await load(
      regression(["  resources: {bundle: cpu.small}"]),
      "defaults:\n  resources: {memory: 1Gi, replicas: 2}\n",
    );
    expect(withBundle.issues).toEqual([]);
    expect(models(withBundle.project)[0]?.manifest.spec.resources).toEqual({
      bundle: "cpu.small",
      replicas: 2,
    });
    const withMemory = await load(
      regression(["  resources: {memory: 1Gi}"]),
      "defaults:\n  resources: {bundle: cpu.small}\n",
    );
    expect(withMemory.issues).toEqual([]);
    expect(models(withMemory.project)[0]?.manifest.spec.resources).toEqual({ memory: 1024 ** 3 });
    // Defaults alone keep both, and the conflict is reported.
    const both = await load(regression([]), "defaults:\n  resources: {memory: 1Gi, bundle: cpu.small}\n");
    expect(codes(both)).toEqual(["memory-bundle-conflict spec.resources.bundle"]);
  });
});
