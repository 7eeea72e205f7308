import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { loadProject } from "../../src/spec/index.js";
import type { LoadResult } from "../../src/spec/index.js";
import { normaliseDocument } from "../../src/spec/normalise.js";
import { touchesInvalid } from "../../src/spec/salvage.js";
import { parseYaml } from "../../src/spec/yaml-doc.js";
import { valueAt } from "../../src/spec/zod-issues.js";
import { makeProject, MODEL_FILES, modelYaml } from "./project-builder.js";
import { VALID_SPEC } from "./valid-spec.js";
import { environments, models } from "./loaded.js";
import { kinds } from "../../src/kinds/index.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function load(files: Record<string, string>, hash = false): Promise<LoadResult> {
  const p = await makeProject(files);
  cleanups.push(p.cleanup);
  return loadProject({ paths: ["."], cwd: p.root, hash });
}

/** [line, code, path]: what a user reads, in the order they read it. */
function found(result: LoadResult): [number, string, string][] {
  return result.issues.map((i) => [i.line, i.code, i.path.join(".")]);
}

function model(name: string, spec: string[]): string {
  return ["apiVersion: drgitops/v1", "kind: CustomModel", "metadata:", `  name: ${name}`, "spec:", ...spec]
    .map((l) => `${l}\n`)
    .join("");
}

const ENVIRONMENT = [
  "apiVersion: drgitops/v1",
  "kind: ExecutionEnvironment",
  "metadata: {name: py}",
  "spec: {dockerContext: ./env}",
  "",
].join("\n");

describe("documents with schema errors are still judged on their valid fields", () => {
  it("reports every problem of a manifest in one run, schema and rules alike", async () => {
    const result = await load({
      "m.yaml": model("churn", [
        "  targetType: Binary",
        "  targetName: churned",
        '  positiveClassLabel: "yes"',
        "  resources: {memory: 2GB}",
        "  source: {path: ./missing}",
        "  environment: {ref: nope}",
        "  test: {dataset: {id: ds-1}}",
        "  lifecycle: {protectd: true}",
      ]),
    });
    expect(found(result)).toEqual([
      [6, "labels-required", "spec.negativeClassLabel"],
      [9, "invalid-memory", "spec.resources.memory"],
      [10, "source-missing", "spec.source.path"],
      [11, "dangling-ref", "spec.environment.ref"],
      [13, "unknown-field", "spec.lifecycle.protectd"],
    ]);
    expect(result.ok).toBe(false);
    // Only documents that passed the schema whole reach plan and apply.
    expect(models(result.project)).toEqual([]);
  });

  it("still judges the rest when a required field is invalid, without judging that field", async () => {
    const result = await load({
      "m.yaml": model("churn", [
        "  targetType: binary",
        "  source: {path: ./missing}",
        "  environment: {ref: nope}",
      ]),
    });
    // No target-type rule (targetName, labels, test dataset) runs on a target type that is not one.
    expect(found(result)).toEqual([
      [6, "invalid-value", "spec.targetType"],
      [7, "source-missing", "spec.source.path"],
      [8, "dangling-ref", "spec.environment.ref"],
    ]);
  });

  it("does not call an invalid value missing", async () => {
    const result = await load({
      "m.yaml": model("churn", [
        "  targetType: Binary",
        "  targetName: ''",
        "  positiveClassLabel: 'yes'",
        "  negativeClassLabel: ''",
        "  environment: {id: env-1}",
        "  source: {path: ./missing}",
        "  test: {dataset: {reff: holdout}}",
      ]),
    });
    expect(found(result)).toEqual([
      [7, "out-of-range", "spec.targetName"],
      [9, "out-of-range", "spec.negativeClassLabel"],
      [11, "source-missing", "spec.source.path"],
      [12, "unknown-field", "spec.test.dataset.reff"],
    ]);
  });

  it("does not call a misspelt field missing when the hint names it", async () => {
    const result = await load({
      "m.yaml": model("churn", [
        "  targetType: Regression",
        "  targetNam: churned",
        "  environment: {id: env-1}",
        "  source: {path: ./missing}",
        "  test: {dataset: {id: ds-1}}",
      ]),
    });
    expect(found(result)).toEqual([
      [7, "unknown-field", "spec.targetNam"],
      [9, "source-missing", "spec.source.path"],
    ]);
    expect(result.issues[0]?.message).toContain('did you mean "targetName"?');
  });

  it("reports no dangling ref for a ref whose own shape is invalid", async () => {
    const result = await load({
      "m.yaml": model("churn", [
        "  targetType: Regression",
        "  targetName: y",
        "  environment: {ref: Not_A_Name}",
        "  source: {path: ./missing}",
        "  trainingData: {dataset: {ref: Bad_Name}}",
        "  test: {dataset: {id: ds-1}}",
      ]),
    });
    expect(found(result)).toEqual([
      [8, "invalid-format", "spec.environment.ref"],
      [9, "source-missing", "spec.source.path"],
      [10, "invalid-format", "spec.trainingData.dataset.ref"],
    ]);
  });

  it("treats documents with schema errors as existing targets of refs and as claimants of names", async () => {
    const result = await load({
      ...MODEL_FILES,
      "a.yaml": modelYaml("alpha", "  trainingData: {dataset: {ref: sales}}").replace(
        "environment: {id: env-1}",
        "environment: {ref: gpu}",
      ),
      // Salvageable: only the docker context is invalid.
      "b.yaml":
        "apiVersion: drgitops/v1\nkind: ExecutionEnvironment\nmetadata: {name: gpu}\nspec: {dockerContext: ''}\n",
      // Beyond salvage (spec is not a mapping), but its name still exists.
      "c.yaml": "apiVersion: drgitops/v1\nkind: Dataset\nmetadata: {name: sales}\nspec: [file.csv]\n",
      // A second alpha whose only other problem is a schema error: both problems are reported.
      "d.yaml": modelYaml("alpha", "  replicas: 2"),
    });
    expect(result.issues.map((i) => [i.file.slice(-6), i.code])).toEqual([
      ["b.yaml", "out-of-range"],
      ["c.yaml", "invalid-type"],
      ["d.yaml", "duplicate-key"],
      ["d.yaml", "unknown-field"],
    ]);
    expect(models(result.project).map((m) => m.file.slice(-6))).toEqual(["a.yaml"]);
    expect(environments(result.project)).toEqual([]);
  });

  it("does not demand a value for a runtime parameter whose given value is invalid", async () => {
    const result = await load({
      "model/custom.py": "",
      "model/model-metadata.yaml": [
        "name: m",
        "type: inference",
        "targetType: regression",
        "runtimeParameterDefinitions:",
        "  - {fieldName: TOKEN, type: credential, allowEmpty: false}",
        "",
      ].join("\n"),
      "m.yaml": modelYaml("alpha", "  runtimeParameters: {TOKEN: {credential: ''}}").replace(
        "environment: {id: env-1}",
        "environment: {ref: nope}",
      ),
    });
    expect(found(result)).toEqual([
      [8, "dangling-ref", "spec.environment.ref"],
      [11, "out-of-range", "spec.runtimeParameters.TOKEN.credential"],
    ]);
  });

  it("does not judge the source's files when include/exclude are invalid", async () => {
    // Listed without the intended filter, the files would be the wrong ones: here an excluded,
    // broken model-metadata.yaml that does not define the runtime parameter.
    const result = await load({
      "model/custom.py": "",
      "model/model-metadata.yaml":
        "runtimeParameterDefinitions:\n  - {fieldName: MODE, type: string, minValue: 1}\n",
      "m.yaml": modelYaml("alpha", "  runtimeParameters: {CUTOFF: 1}")
        .replace("source: {path: ./model}", "source: {path: ./model, exclude: [model-metadata.yaml, '']}")
        .replace("environment: {id: env-1}", "environment: {ref: nope}"),
    });
    expect(found(result)).toEqual([
      [8, "dangling-ref", "spec.environment.ref"],
      [9, "out-of-range", "spec.source.exclude.1"],
    ]);
  });

  it("does not ask a Dataset for file or id when the one it has is invalid", async () => {
    const result = await load({
      ...MODEL_FILES,
      "d.yaml":
        "apiVersion: drgitops/v1\nkind: Dataset\nmetadata: {name: sales}\nspec: {file: '', categories: [x]}\n",
      "e.yaml": ENVIRONMENT.replace("./env", "./no-env").replace("{name: py}", "{name: py, labels: [x]}"),
    });
    expect(found(result)).toEqual([
      [4, "out-of-range", "spec.file"],
      [3, "invalid-type", "metadata.labels"],
      [4, "docker-context-missing", "spec.dockerContext"],
    ]);
  });

  it("keeps the project and its hashes aligned when an invalid document comes first", async () => {
    const result = await load(
      {
        ...MODEL_FILES,
        "other/custom.py": "print('other')\n",
        "a.yaml": modelYaml("alpha", "  resources: {memory: lots}", "./other"),
        "b.yaml": modelYaml("beta"),
      },
      true,
    );
    expect(found(result)).toEqual([[11, "invalid-memory", "spec.resources.memory"]]);
    const [beta] = models(result.project);
    expect(beta?.name).toBe("beta");
    expect(beta?.paths["source"]?.files?.map((f) => f.path)).toEqual(["custom.py", "requirements.txt"]);
  });
});

describe("salvaging a manifest with schema errors", () => {
  it("keeps every valid field and none that an issue names, so rules never judge a reported field", () => {
    const keys = fc.constantFrom(...Object.keys(VALID_SPEC), "targetTyp", "lifecycle", "trainingData");
    fc.assert(
      fc.property(fc.dictionary(keys, fc.jsonValue({ maxDepth: 3 })), (patch) => {
        const spec = { ...VALID_SPEC, ...patch };
        const text = stringify({
          apiVersion: "drgitops/v1",
          kind: "CustomModel",
          metadata: { name: "m" },
          spec,
        });
        const parsedYaml = parseYaml("/p/m.yaml", text);
        const [doc] = parsedYaml.docs;
        // A `<<` key (a YAML merge key) can make generated JSON invalid YAML: a located issue, not a doc.
        if (doc === undefined) return void expect(parsedYaml.issues.length).toBeGreaterThan(0);
        const { manifest, issues, salvaged } = normaliseDocument(doc, kinds);
        if (manifest !== undefined) return;
        // With a valid name, errors in spec never cost the whole document.
        expect(salvaged).toBeDefined();
        if (salvaged === undefined) return;
        for (const issue of issues) {
          expect(valueAt(salvaged.data, issue.path)).toBeUndefined();
          if (issue.code !== "unknown-field") expect(touchesInvalid(salvaged.invalid, issue.path)).toBe(true);
        }
        // Fields nobody complained about survive (as the strict schema would have parsed them).
        for (const key of Object.keys(spec)) {
          const flagged =
            issues.some((i) => i.path[1] === key) || touchesInvalid(salvaged.invalid, ["spec", key]);
          if (!flagged) expect(valueAt(salvaged.data, ["spec", key])).toBeDefined();
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("field names that are also Object.prototype members", () => {
  it("an unknown field named toString is reported and dropped like any other", () => {
    const text = stringify({
      apiVersion: "drgitops/v1",
      kind: "CustomModel",
      metadata: { name: "m" },
      spec: { ...VALID_SPEC, resources: { toString: "" } },
    });
    const [doc] = parseYaml("/p/m.yaml", text).docs;
    if (doc === undefined) throw new Error("no document");
    const { issues, salvaged } = normaliseDocument(doc, kinds);
    expect(issues.map((i) => [i.code, i.path.join(".")])).toEqual([
      ["unknown-field", "spec.resources.toString"],
    ]);
    expect(valueAt(salvaged?.data, ["spec", "resources", "toString"])).toBeUndefined();
  });
});
