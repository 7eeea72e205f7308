import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadProject } from "../../src/spec/index.js";
import { makeProject, MODEL_FILES, modelYaml } from "./project-builder.js";
import { models } from "./loaded.js";

/** Manifests that must pass: guards against rules that reject what DataRobot accepts. */
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});
async function load(files: Record<string, string>) {
  const p = await makeProject(files);
  cleanups.push(p.cleanup);
  return loadProject({ paths: ["m.yaml"], cwd: p.root });
}

const METADATA = [
  "name: m",
  "type: inference",
  "targetType: regression",
  "runtimeParameterDefinitions:",
  "  - {fieldName: CUTOFF, type: numeric, minValue: 0, maxValue: 1}",
  "  - {fieldName: FLAG, type: boolean}",
  "  - {fieldName: URL, type: string}",
  "  - {fieldName: DEP, type: deployment}",
  "  - {fieldName: KEY, type: credential, allowEmpty: false}",
  "  - {fieldName: WITH_DEFAULT, type: string, allowEmpty: false, defaultValue: x}",
  "",
].join("\n");

describe("valid manifests", () => {
  it("accepts every runtime value form the API accepts", async () => {
    const result = await load({
      ...MODEL_FILES,
      "model/model-metadata.yaml": METADATA,
      "m.yaml": modelYaml(
        "m",
        [
          "  runtimeParameters:",
          '    CUTOFF: "0.25"',
          '    FLAG: "TRUE"',
          "    URL: {env: SERVICE_URL, sensitive: true}",
          "    DEP: 64f0c0ffee",
          "    KEY: {credential: prod-key}",
        ].join("\n"),
      ),
    });
    expect(result.issues).toEqual([]);
    expect(models(result.project)[0]?.manifest.spec.runtimeParameters?.["URL"]).toEqual({
      env: "SERVICE_URL",
      sensitive: true,
    });
  });

  it("accepts environment by id+versionId and by name, datasets by id, and an Anomaly model without a target", async () => {
    const anomaly = modelYaml("a")
      .replace("targetType: Regression", "targetType: Anomaly")
      .replace("  targetName: y\n", "")
      .replace("{id: env-1}", "{name: '[DataRobot] Python 3.11 Drop-In'}");
    const result = await load({
      ...MODEL_FILES,
      "m.yaml": `${anomaly}---\n${modelYaml("b").replace("{id: env-1}", "{id: env-1, versionId: ev-2}")}`,
    });
    expect(result.issues).toEqual([]);
    expect(models(result.project).map((m) => m.manifest.spec.environment)).toEqual([
      { name: "[DataRobot] Python 3.11 Drop-In" },
      { id: "env-1", versionId: "ev-2" },
    ]);
  });

  it("reads class labels from a file and turns numeric labels into strings", async () => {
    const multiclass = modelYaml("m", "  classLabelsFile: labels.txt").replace("Regression", "Multiclass");
    const binary = modelYaml("b", "  positiveClassLabel: 1\n  negativeClassLabel: 0").replace(
      "Regression",
      "Binary",
    );
    const result = await load({
      ...MODEL_FILES,
      "labels.txt": "cat\r\n dog \n\nbird\n",
      "m.yaml": `${multiclass}---\n${binary}`,
    });
    expect(result.issues).toEqual([]);
    expect(models(result.project)[0]?.paths["classLabelsFile"]?.lines).toEqual(["cat", "dog", "bird"]);
    expect(models(result.project)[1]?.manifest.spec.positiveClassLabel).toBe("1");
  });

  it("reports warnings without failing validation", async () => {
    const result = await load({
      ...MODEL_FILES,
      "model/model-metadata.yaml": "runtimeParameterDefinitions: []\n",
      "m.yaml": modelYaml("u").replace("Regression", "Unstructured"),
    });
    expect(result.ok).toBe(true);
    expect(result.issues.map((i) => [i.severity, i.code, i.line])).toEqual([
      ["warning", "target-name-ignored", 7],
      ["warning", "metadata-incomplete", 1],
    ]);
    expect(result.issues[1]?.file).toMatch(join("model", "model-metadata.yaml"));
  });
});
