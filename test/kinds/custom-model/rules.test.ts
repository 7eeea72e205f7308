import { describe, expect, it } from "vitest";
import { customModelKind } from "../../../src/kinds/custom-model/index.js";
import type { PartialCustomModelManifest } from "../../../src/kinds/custom-model/schema.js";
import { kinds } from "../../../src/kinds/index.js";
import type { ResolvedPath } from "../../../src/spec/local-paths.js";
import type { ModelMetadata } from "../../../src/spec/schema/model-metadata.js";
import { normaliseDocument } from "../../../src/spec/normalise.js";
import { runRules, type Entry, type RuleIssue } from "../../../src/spec/rules/index.js";
import { parseYaml } from "../../../src/spec/yaml-doc.js";

/** What the loader would have learnt of a path, staged: rules read it as data, never the disk. */
interface Staged {
  source?: Partial<ResolvedPath>;
  classLabelsFile?: Partial<ResolvedPath>;
  metadata?: { file: string; parsed?: ModelMetadata };
}

/** Rules are pure: facts about paths come in as data, so every filesystem outcome is easy to stage. */
function modelEntry(yamlSpec: string, staged: Staged = {}): Entry<PartialCustomModelManifest> {
  const text = `apiVersion: drgitops/v1\nkind: CustomModel\nmetadata: {name: m}\nspec:\n${yamlSpec}`;
  const [doc] = parseYaml("/p/m.yaml", text).docs;
  if (!doc) throw new Error("no document");
  const { manifest, issues } = normaliseDocument(doc, kinds);
  if (!manifest || issues.length > 0) throw new Error(JSON.stringify(issues));
  const m = manifest as PartialCustomModelManifest;
  const paths: Record<string, ResolvedPath> = {};
  for (const spec of customModelKind.localPaths(m, () => false)) {
    const base: ResolvedPath = {
      spec,
      abs: `/p/${spec.written}`,
      rel: spec.written,
      root: "/p",
      rootSource: "git",
    };
    const extra =
      spec.role === "source"
        ? {
            listing: [1, 2].map((i) => ({ path: `f${i}`, absPath: `/p/src/f${i}` })),
            escapes: [],
            ...(staged.metadata ? { metadata: staged.metadata } : {}),
            ...staged.source,
          }
        : staged.classLabelsFile;
    paths[spec.role] = { ...base, ...extra };
  }
  return { kind: "CustomModel", doc, manifest: m, name: "m", key: "ns/m", paths };
}

function run(models: Entry<PartialCustomModelManifest>[]): RuleIssue[] {
  const found: RuleIssue[] = [];
  runRules({ root: "/p", entries: models, unjudged: [], report: (i) => found.push(i) }, kinds);
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
    const issues = run([modelEntry(MULTICLASS, { classLabelsFile: { problem: "symlink-escapes" } })]);
    expect(issues.map((i) => [i.code, i.path.join(".")])).toEqual([
      ["path-escapes-root", "spec.classLabelsFile"],
    ]);
  });

  it("judges labels read from the file", () => {
    expect(run([modelEntry(MULTICLASS, { classLabelsFile: { lines: ["a", "b"] } })])).toEqual([]);
    expect(run([modelEntry(MULTICLASS, { classLabelsFile: { lines: [] } })]).map((i) => i.code)).toEqual([
      "class-labels-too-few",
    ]);
  });

  it("reports every symlink leaving the root inside a source, and not an empty source when listing failed", () => {
    const spec = MULTICLASS.replace("  classLabelsFile: ./labels.txt\n", "  classLabels: [a, b]\n");
    const issues = run([modelEntry(spec, { source: { escapes: ["a.pkl", "lib/b.py"] } })]);
    expect(issues.map((i) => i.message)).toEqual([
      expect.stringContaining('"a.pkl"'),
      expect.stringContaining('"lib/b.py"'),
    ]);
    const missing = run([modelEntry(spec, { source: { problem: "missing", listing: [] } })]);
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
