import { join, resolve } from "node:path";
import type { Issue } from "../../src/spec/index.js";

export const REPO_ROOT = resolve(import.meta.dirname, "../..");
export const INVALID_FIXTURES = join(REPO_ROOT, "test/fixtures/invalid");

/** A validation issue in a manifest under the repository root; override what a test is about. */
export function anIssue(over: Partial<Issue> = {}): Issue {
  return {
    code: "unknown-field",
    severity: "error",
    file: join(REPO_ROOT, "manifests/fraud.yaml"),
    line: 11,
    column: 3,
    kind: "CustomModel",
    name: "fraud",
    path: ["spec", "runtimeParamters"],
    message: 'unknown field "runtimeParamters"',
    ...over,
  };
}
