import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { normaliseDocument } from "../../src/spec/normalise.js";
import { locate, parseYaml } from "../../src/spec/yaml-doc.js";
import { VALID_SPEC } from "./valid-spec.js";
import { kinds } from "../../src/kinds/index.js";

/** Any JSON value put anywhere in a manifest: the normaliser must answer with located issues, never throw. */
describe("normalising arbitrary manifests", () => {
  it("never throws and places every issue inside the file", () => {
    const keys = fc.constantFrom(...Object.keys(VALID_SPEC), "typo", "targetTyp", "lifecycle", "holdoutData");
    fc.assert(
      fc.property(
        fc.dictionary(keys, fc.jsonValue({ maxDepth: 3 })),
        fc.jsonValue({ maxDepth: 2 }),
        (patch, name) => {
          const manifest = {
            apiVersion: "drgitops/v1",
            kind: "CustomModel",
            metadata: { name },
            spec: { ...VALID_SPEC, ...patch },
          };
          const text = stringify(manifest);
          const lines = text.split("\n").length;
          const { docs, issues: yamlIssues } = parseYaml("/p/m.yaml", text);
          const [doc] = docs;
          if (doc === undefined) {
            // A key that YAML itself gives meaning to (`<<`, a merge key) can make valid JSON invalid
            // YAML: that is a located syntax issue, never a throw.
            expect(yamlIssues.length).toBeGreaterThan(0);
            for (const i of yamlIssues) expect(i.line).toBeLessThanOrEqual(lines);
            return;
          }
          const { manifest: parsed, issues } = normaliseDocument(doc, kinds);
          expect(parsed === undefined).toBe(issues.length > 0);
          for (const issue of issues) {
            const pos = locate(doc, issue.path, issue.atKey);
            expect(pos.line).toBeGreaterThanOrEqual(1);
            expect(pos.line).toBeLessThanOrEqual(lines);
            expect(pos.column).toBeGreaterThanOrEqual(1);
            expect(issue.message).not.toMatch(/\[object Object\]|undefined/);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("points an invalid value exactly at its node", () => {
    fc.assert(
      fc.property(fc.constantFrom("resources", "test", "source", "environment"), fc.integer(), (field, n) => {
        const text = stringify({
          apiVersion: "drgitops/v1",
          kind: "CustomModel",
          metadata: { name: "m" },
          spec: { ...VALID_SPEC, [field]: n },
        });
        const [doc] = parseYaml("/p/m.yaml", text).docs;
        if (doc === undefined) throw new Error("no document");
        const { issues } = normaliseDocument(doc, kinds);
        expect(issues.map((i) => i.path)).toContainEqual(["spec", field]);
        const issue = issues.find((i) => i.path.join(".") === `spec.${field}`);
        const pos = locate(doc, issue?.path ?? []);
        const lineText = text.split("\n")[pos.line - 1] ?? "";
        expect(lineText.slice(pos.column - 1)).toBe(String(n));
      }),
      { numRuns: 50 },
    );
  });
});
