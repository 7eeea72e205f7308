import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadProject } from "../../src/spec/index.js";

const FIXTURES = resolve(import.meta.dirname, "../fixtures/invalid");

/** [fixture folder, code, field path, line, column, file inside the fixture (default manifest.yaml)] */
type Case = [string, string, (string | number)[], number, number, string?];

const cases: Case[] = [
  // YAML and schema errors
  ["yaml-syntax", "yaml-syntax", [], 9, 3],
  ["duplicate-yaml-key", "duplicate-yaml-key", [], 5, 3],
  ["unknown-field", "unknown-field", ["spec", "runtimeParamters"], 11, 3],
  ["invalid-type", "invalid-type", ["spec", "resources", "replicas"], 12, 15],
  ["missing-field", "missing-field", ["spec", "source"], 6, 3],
  ["invalid-value", "invalid-value", ["spec", "targetType"], 6, 15],
  ["invalid-format", "invalid-format", ["metadata", "name"], 4, 9],
  ["out-of-range", "out-of-range", ["spec", "resources", "replicas"], 11, 25],
  ["invalid-memory", "invalid-memory", ["spec", "resources", "memory"], 12, 13],
  ["invalid-tags", "invalid-type", ["spec", "tags", "tier"], 12, 11],
  ["unknown-kind", "unknown-kind", ["kind"], 2, 7],
  ["unsupported-api-version", "unsupported-api-version", ["apiVersion"], 1, 13],
  ["unknown-check-mode", "invalid-value", ["spec", "test", "checks", "sideEffects"], 13, 20],
  ["invalid-key", "invalid-key", ["spec", "runtimeParameters", "score-cutoff"], 12, 5],
  ["bad-environment-ref", "conflicting-fields", ["spec", "environment", "id"], 8, 29],
  // rules by target type
  ["labels-required", "labels-required", ["spec", "negativeClassLabel"], 6, 3],
  ["labels-not-allowed", "labels-not-allowed", ["spec", "positiveClassLabel"], 11, 23],
  ["threshold-not-allowed", "threshold-not-allowed", ["spec", "predictionThreshold"], 11, 24],
  ["target-name-required", "target-name-required", ["spec", "targetName"], 6, 3],
  ["class-labels-conflict", "class-labels-conflict", ["spec", "classLabelsFile"], 12, 20],
  ["class-labels-required", "class-labels-required", ["spec", "classLabels"], 6, 3],
  ["class-labels-too-few", "class-labels-too-few", ["spec", "classLabels"], 11, 16],
  ["class-labels-duplicate", "class-labels-duplicate", ["spec", "classLabels"], 11, 16],
  ["class-labels-file-missing", "class-labels-file-missing", ["spec", "classLabelsFile"], 11, 20],
  ["class-labels-file-one-label", "class-labels-too-few", ["spec", "classLabelsFile"], 11, 20],
  ["class-labels-not-allowed", "class-labels-not-allowed", ["spec", "classLabels"], 11, 16],
  ["holdout-not-allowed", "holdout-not-allowed", ["spec", "holdoutData"], 11, 16],
  [
    "partition-column-not-allowed",
    "partition-column-not-allowed",
    ["spec", "trainingData", "partitionColumn"],
    11,
    22,
  ],
  ["test-dataset-required", "test-dataset-required", ["spec", "test", "dataset"], 11, 5],
  ["memory-bundle-conflict", "memory-bundle-conflict", ["spec", "resources", "bundle"], 12, 13],
  // across documents
  ["duplicate-key", "duplicate-key", ["metadata", "name"], 15, 9],
  ["dangling-ref", "dangling-ref", ["spec", "environment", "ref"], 8, 22],
  ["dangling-dataset-ref", "dangling-ref", ["spec", "test", "dataset", "ref"], 10, 25],
  // registered models and deployments
  ["deployment-dangling-ref", "dangling-ref", ["spec", "registeredModel", "ref"], 15, 26],
  ["deployment-wrong-kind-ref", "dangling-ref", ["spec", "registeredModel", "ref"], 15, 26],
  ["deployment-two-sources", "conflicting-fields", ["spec", "model"], 7, 10],
  ["deployment-no-source", "missing-field", ["spec"], 5, 3],
  ["registered-model-dangling-ref", "dangling-ref", ["spec", "model", "ref"], 6, 16],
  ["registered-model-duplicate-name", "duplicate-display-name", ["spec", "displayName"], 21, 16],
  // paths
  ["source-missing", "source-missing", ["spec", "source", "path"], 9, 18],
  ["source-not-directory", "source-not-directory", ["spec", "source", "path"], 9, 18],
  ["source-empty", "source-empty", ["spec", "source", "path"], 10, 11],
  ["path-escapes-root", "path-escapes-root", ["spec", "source", "path"], 9, 18],
  ["path-absolute", "path-escapes-root", ["spec", "source", "path"], 9, 18],
  ["dockerfile-missing", "dockerfile-missing", ["spec", "dockerContext"], 7, 18],
  ["docker-context-missing", "docker-context-missing", ["spec", "dockerContext"], 7, 18],
  ["dataset-file-missing", "dataset-file-missing", ["spec", "file"], 6, 9],
  ["dataset-source", "dataset-source", ["spec", "id"], 7, 7],
  // model-metadata.yaml and runtime parameters
  ["runtime-param-unknown", "runtime-param-unknown", ["spec", "runtimeParameters", "CUTOF"], 13, 5],
  ["runtime-param-type", "runtime-param-type", ["spec", "runtimeParameters", "CUTOFF"], 13, 13],
  ["runtime-param-boolean", "runtime-param-type", ["spec", "runtimeParameters", "VERBOSE"], 13, 14],
  ["runtime-param-range", "runtime-param-range", ["spec", "runtimeParameters", "CUTOFF"], 13, 13],
  ["runtime-param-required", "runtime-param-required", ["spec", "runtimeParameters", "TOKEN"], 12, 5],
  ["runtime-param-credential", "runtime-param-credential", ["spec", "runtimeParameters", "TOKEN"], 12, 12],
  ["runtime-param-not-credential", "runtime-param-type", ["spec", "runtimeParameters", "MODE"], 13, 11],
  ["runtime-params-without-metadata", "runtime-param-unknown", ["spec", "runtimeParameters"], 12, 5],
  ["metadata-target-type-mismatch", "metadata-target-type-mismatch", ["spec", "targetType"], 6, 15],
  [
    "metadata-invalid-default",
    "metadata-invalid-default",
    ["runtimeParameterDefinitions", 0, "defaultValue"],
    7,
    19,
    "model/model-metadata.yaml",
  ],
  ["metadata-yaml-syntax", "yaml-syntax", [], 5, 1, "model/model-metadata.yaml"],
  [
    "metadata-unknown-field",
    "unknown-field",
    ["runtimeParameterDefinitions", 0, "maxValeu"],
    7,
    5,
    "model/model-metadata.yaml",
  ],
];

describe("invalid fixtures", () => {
  it("has a case for every fixture folder, and at least 25", () => {
    const folders = readdirSync(FIXTURES).sort();
    expect(cases.map((c) => c[0]).sort()).toEqual(folders);
    expect(folders.length).toBeGreaterThanOrEqual(25);
  });

  it.each(cases)(
    "%s -> %s at %j %i:%i",
    async (fixture, code, path, line, column, file = "manifest.yaml") => {
      const dir = join(FIXTURES, fixture);
      // The fixtures folder holds what they share: inside the project root, in git or not.
      const result = await loadProject({ paths: [dir], cwd: join(FIXTURES, "..") });
      expect(result.ok).toBe(false);
      expect(result.issues).toHaveLength(1);
      const [issue] = result.issues;
      expect(issue).toMatchObject({ code, path, line, column, severity: "error", file: join(dir, file) });
      // A newcomer must be able to act on it: the message says what is wrong in words, not a zod dump.
      expect(issue?.message).toMatch(/\w{3,}/);
      expect(issue?.message).not.toMatch(/Invalid input|\[object Object\]|undefined/);
      // The other document is named relative to the project root, never by an absolute path.
      if (code === "duplicate-display-name")
        expect(issue?.message).toMatch(new RegExp(`\\((?!/)\\S*invalid/${fixture}/manifest\\.yaml:10\\)`));
    },
  );
});
