import { z } from "zod";
import { CheckName, type ModelScenario } from "./scenario.js";

export { CheckName } from "./scenario.js";

/** How a failing check is reported (API.md §3.1 `configuration`). */
export const CheckSetting = z.enum(["fail", "warn", "skip"]);
export type CheckSetting = z.infer<typeof CheckSetting>;

export const TestConfiguration = z.partialRecord(CheckName, CheckSetting);
export type TestConfiguration = z.infer<typeof TestConfiguration>;

export type CheckStatus = "in_progress" | "succeeded" | "skipped" | "failed" | "warning";
export type OverallStatus = "in_progress" | "failed" | "warning" | "succeeded";
export type TestingStatus = Record<string, { status: CheckStatus; message: string }>;

/** PY requires these four keys in every test's `testingStatus`, even when skipped (API.md §3.3). */
const BASE_CHECKS: readonly CheckName[] = [
  "errorCheck",
  "nullValueImputation",
  "longRunningService",
  "sideEffects",
];

const ENTRY_POINT_FILES = new Set(["custom.py", "custom.R", "start_server.sh"]);
const ARTIFACT_SUFFIXES = [
  ".pkl",
  ".joblib",
  ".pth",
  ".pt",
  ".h5",
  ".keras",
  ".onnx",
  ".rds",
  ".jar",
  ".pmml",
];

/** Configured settings with the defaults of API.md §3.1 filled in. */
export function resolveConfiguration(
  given: TestConfiguration,
  targetType: string,
): Record<CheckName, CheckSetting> {
  const unstructured = targetType === "Unstructured";
  const defaults: Record<CheckName, CheckSetting> = {
    errorCheck: "fail",
    longRunningService: "fail",
    nullValueImputation: unstructured ? "skip" : "warn",
    sideEffects: unstructured ? "skip" : "warn",
    predictionVerificationCheck: "skip",
    performanceCheck: "skip",
    stabilityCheck: "skip",
  };
  return { ...defaults, ...given };
}

/** What the static checks look at, gathered from the version by the caller. */
export interface VersionFacts {
  /** Every item's `filePath`. */
  filePaths: readonly string[];
  /** Why model-metadata.yaml is invalid, or null when it is valid or absent. */
  metadataProblem: string | null;
  /** Runtime parameters with `allowEmpty: false` and no `currentValue`. */
  missingRuntimeParameters: readonly string[];
}

/** Why the version cannot start, or null: the reasons errorCheck fails on (API.md §3.2). */
export function errorCheckProblems(facts: VersionFacts): string[] {
  const problems: string[] = [];
  const topLevel = facts.filePaths.filter((p) => !p.includes("/"));
  const hasEntryPoint = topLevel.some(
    (p) => ENTRY_POINT_FILES.has(p) || ARTIFACT_SUFFIXES.some((s) => p.toLowerCase().endsWith(s)),
  );
  if (!hasEntryPoint) {
    problems.push(
      "No entry point: add a top-level custom.py, custom.R or start_server.sh, or a model artifact " +
        `(${ARTIFACT_SUFFIXES.join(", ")})`,
    );
  }
  if (facts.metadataProblem !== null) problems.push(`Invalid model-metadata.yaml: ${facts.metadataProblem}`);
  for (const name of facts.missingRuntimeParameters) {
    problems.push(
      `Runtime parameter ${name} has allowEmpty: false but no value; set it with runtimeParameterValues`,
    );
  }
  return problems;
}

/** Which checks appear in `testingStatus`: the base four plus every other one not skipped. */
export function reportedChecks(settings: Record<CheckName, CheckSetting>): CheckName[] {
  return CheckName.options.filter((c) => BASE_CHECKS.includes(c) || settings[c] !== "skip");
}

/** The `testingStatus` of a test that has just started. */
export function initialTestingStatus(settings: Record<CheckName, CheckSetting>): TestingStatus {
  const status: TestingStatus = {};
  for (const check of reportedChecks(settings)) {
    status[check] = { status: settings[check] === "skip" ? "skipped" : "in_progress", message: "" };
  }
  return status;
}

export interface TestResult {
  overallStatus: Exclude<OverallStatus, "in_progress">;
  testingStatus: TestingStatus;
  /** Plain text: one line per check, then the reasons of the failures. */
  log: string;
}

/** Runs the static checks, then applies the scenario's scripted outcomes on top. */
export function runChecks(
  settings: Record<CheckName, CheckSetting>,
  facts: VersionFacts,
  scripted: ModelScenario["tests"] = {},
): TestResult {
  const testingStatus: TestingStatus = {};
  const lines: string[] = [];
  const reasons: string[] = [];
  for (const check of reportedChecks(settings)) {
    const setting = settings[check];
    if (setting === "skip") {
      testingStatus[check] = { status: "skipped", message: "" };
      lines.push(`${check}: skipped`);
      continue;
    }
    let problems = check === "errorCheck" ? errorCheckProblems(facts) : [];
    const script = scripted[check];
    if (script?.outcome === "pass") problems = [];
    if (script?.outcome === "fail")
      problems = [script.message ?? `${check} failed (scripted by the scenario file)`];
    if (problems.length === 0) {
      testingStatus[check] = { status: "succeeded", message: "" };
      lines.push(`${check}: succeeded`);
      continue;
    }
    const status = setting === "fail" ? "failed" : "warning";
    testingStatus[check] = { status, message: problems.join("; ") };
    lines.push(`${check}: ${status}`);
    reasons.push(...problems.map((p) => `${check}: ${p}`));
  }
  const statuses = Object.values(testingStatus).map((s) => s.status);
  const overallStatus = statuses.includes("failed")
    ? "failed"
    : statuses.includes("warning")
      ? "warning"
      : "succeeded";
  const log = [
    ...lines,
    `overallStatus: ${overallStatus}`,
    ...(reasons.length > 0 ? ["", "Reasons:", ...reasons] : []),
  ];
  return { overallStatus, testingStatus, log: `${log.join("\n")}\n` };
}

/** A running test after DELETE: errorCheck failed as cancelled, unfinished checks skipped (§3.2). */
export function cancelledTestingStatus(current: TestingStatus): TestingStatus {
  const next: TestingStatus = {};
  for (const [check, value] of Object.entries(current)) {
    next[check] = value.status === "in_progress" ? { status: "skipped", message: "" } : value;
  }
  next.errorCheck = { status: "failed", message: "Testing was cancelled" };
  return next;
}
