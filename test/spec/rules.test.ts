import { describe, expect, it } from "vitest";
import { normaliseDocument } from "../../src/spec/normalise.js";
import { runRules } from "../../src/spec/rules/index.js";
import type { ModelFacts, ModelEntry, PathFact, RuleIssue } from "../../src/spec/rules/index.js";
import type { CustomModelManifest } from "../../src/spec/index.js";
import { parseYaml } from "../../src/spec/yaml-doc.js";

/** Rules are pure: facts about paths come in as data, so every filesystem outcome is easy to stage. */
function modelEntry(yamlSpec: string, facts: Partial<ModelFacts> = {}): ModelEntry {
  const text = `apiVersion: drgitops/v1\nkind: CustomModel\nmetadata: {name: m}\nspec:\n${yamlSpec}`;
  const [doc] = parseYaml("/p/m.yaml", text).docs;
  if (!doc) throw new Error("no document");
  const { manifest, issues } = normaliseDocument(doc);
  if (!manifest || issues.length > 0) throw new Error(JSON.stringify(issues));
  const ok: PathFact = { written: "./src", abs: "/p/src" };
  return {
    doc,
    manifest: manifest as CustomModelManifest,
    name: "m",
    key: "ns/m",
    facts: { source: ok, fileCount: 2, escapingLinks: [], ...facts },
  };
}

function run(models: ModelEntry[]): RuleIssue[] {
  const found: RuleIssue[] = [];
  runRules({ models, environments: [], datasets: [], report: (i) => found.push(i) });
  return found;
}

const MULTICLASS = [
  "  targetType: Multiclass",
  "  targetName: y",
  "  environment: {id: e}",
  "  source: {path: ./src}",
  "  test: {dataset: {id: d}}",
  "  classLabelsFile: ./labels.txt",
  "",
].join("\n");

describe("rules on staged facts", () => {
  it("refuses a class labels file reached through a symlink leaving the root", () => {
    const issues = run([
      modelEntry(MULTICLASS, {
        classLabelsFile: { written: "./labels.txt", abs: "/p/labels.txt", problem: "symlink-escapes" },
      }),
    ]);
    expect(issues.map((i) => [i.code, i.path.join(".")])).toEqual([
      ["path-escapes-root", "spec.classLabelsFile"],
    ]);
  });

  it("judges labels read from the file", () => {
    const fact = { written: "./labels.txt", abs: "/p/labels.txt" };
    expect(run([modelEntry(MULTICLASS, { classLabelsFile: { ...fact, labels: ["a", "b"] } })])).toEqual([]);
    expect(
      run([modelEntry(MULTICLASS, { classLabelsFile: { ...fact, labels: [] } })]).map((i) => i.code),
    ).toEqual(["class-labels-too-few"]);
  });

  it("reports every symlink leaving the root inside a source, and not an empty source when listing failed", () => {
    const spec = MULTICLASS.replace("  classLabelsFile: ./labels.txt\n", "  classLabels: [a, b]\n");
    const issues = run([modelEntry(spec, { escapingLinks: ["a.pkl", "lib/b.py"] })]);
    expect(issues.map((i) => i.message)).toEqual([
      expect.stringContaining('"a.pkl"'),
      expect.stringContaining('"lib/b.py"'),
    ]);
    const missing = run([
      modelEntry(spec, {
        source: { written: "./src", abs: "/p/src", problem: "missing" },
        fileCount: 0,
      }),
    ]);
    expect(missing.map((i) => i.code)).toEqual(["source-missing"]);
  });

  it("checks runtime values only against a metadata file that parsed", () => {
    const spec = MULTICLASS.replace(
      "  classLabelsFile: ./labels.txt\n",
      "  classLabels: [a, b]\n  runtimeParameters: {X: 1}\n",
    );
    const unparsable = run([modelEntry(spec, { metadata: { file: "/p/src/model-metadata.yaml" } })]);
    expect(unparsable).toEqual([]);
    const none = run([modelEntry(spec)]);
    expect(none.map((i) => i.code)).toEqual(["runtime-param-unknown"]);
  });
});
