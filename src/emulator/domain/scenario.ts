import { readFileSync } from "node:fs";
import { z } from "zod";
import { UsageError } from "../../errors.js";
import { parseYamlFile } from "./yaml-file.js";

/** The custom model test checks (API.md §3.1). */
export const CheckName = z.enum([
  "errorCheck",
  "longRunningService",
  "nullValueImputation",
  "sideEffects",
  "predictionVerificationCheck",
  "performanceCheck",
  "stabilityCheck",
]);
export type CheckName = z.infer<typeof CheckName>;

/** `fail` or `{outcome: fail, message: "..."}`; `pass` overrides a failing real check. */
const ScriptedOutcome = z
  .union(
    [
      z.enum(["pass", "fail"]),
      z.strictObject({ outcome: z.enum(["pass", "fail"]), message: z.string().min(1).optional() }),
    ],
    { error: 'expected "pass", "fail" or {outcome: pass|fail, message?: text}' },
  )
  .transform((v) => (typeof v === "string" ? { outcome: v } : v));
export type ScriptedOutcome = z.output<typeof ScriptedOutcome>;

/** The checks of a replacement validation (API.md §13.7). */
export const ValidationCheckName = z.enum([
  "targetType",
  "targetName",
  "classLabels",
  "notCurrentModel",
  "modelPackageBuilt",
]);
export type ValidationCheckName = z.infer<typeof ValidationCheckName>;

/**
 * `pass` (every check passes), or `{outcome: fail, check: <name>, message?}`: a failure names the
 * check it fails, as DataRobot's answer does.
 */
const ScriptedValidation = z
  .union(
    [
      z.literal("pass").transform(() => ({ outcome: "pass" as const })),
      z.strictObject({
        outcome: z.enum(["pass", "fail"]),
        check: ValidationCheckName.optional(),
        message: z.string().min(1).optional(),
      }),
    ],
    { error: 'expected "pass" or {outcome: pass|fail, check: <check name>, message?: text}' },
  )
  .superRefine((v, ctx) => {
    if (v.outcome === "fail" && v.check === undefined)
      ctx.addIssue({
        code: "custom",
        message: `a failing validation names its check: check: ${ValidationCheckName.options.join(" | ")}`,
      });
  });
export type ScriptedValidation = z.output<typeof ScriptedValidation>;

const ModelScenario = z.strictObject({
  /** Per check; checks not listed keep the outcome of the real static checks. */
  tests: z.partialRecord(CheckName, ScriptedOutcome).optional(),
  dependencyBuild: ScriptedOutcome.optional(),
  conversion: ScriptedOutcome.optional(),
  /** Validation of this model's versions as a deployment's new model (§13.7). */
  deploymentValidation: ScriptedValidation.optional(),
  /** `fail`: deployments of this model's versions end `errored`, their logs `ERROR: <message>`. */
  deployment: ScriptedOutcome.optional(),
  /** `fail`: feature impact of this model's versions ends `ERROR` with the message (§2.11). */
  featureImpact: ScriptedOutcome.optional(),
});

const EnvironmentScenario = z.strictObject({ build: ScriptedOutcome.optional() });

/**
 * `--scenario FILE`: outcomes scripted per model (key = `userProvidedId`, else `name`) and per
 * execution environment (key = `name`), for testing gates against failures real checks cannot produce.
 */
export const Scenario = z.strictObject({
  models: z.record(z.string().min(1), ModelScenario).default({}),
  environments: z.record(z.string().min(1), EnvironmentScenario).default({}),
});
export type Scenario = z.output<typeof Scenario>;
export type ModelScenario = z.output<typeof ModelScenario>;

/** The key's stand-in role ended when the emulator got real deployments. */
const RETIRED_COUNT =
  " (deploymentsCount now counts real deployments: create one with POST deployments/fromModelPackage/)";

/** Parses scenario YAML; every problem is reported with the file, line and field path. */
export function parseScenario(text: string, file: string): Scenario {
  return parseYamlFile(Scenario, text, file, "scenario file", {
    // A misspelt check name is the usual mistake.
    unknownKeyHint: (path, key) =>
      (path.at(-1) === "tests" ? ` (checks: ${CheckName.options.join(", ")})` : "") +
      (key === "deploymentsCount" ? RETIRED_COUNT : ""),
    footer: 'See the README, section "Scenario file".',
  });
}

export function loadScenarioFile(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    throw new UsageError(`Cannot read scenario file ${file}: ${(cause as Error).message}`, { cause });
  }
  return parseScenario(text, file);
}

/** The model's scripted outcomes: `userProvidedId` first, then `name`. */
export function scenarioForModel(
  scenario: Scenario | undefined,
  model: { userProvidedId?: string | null; name: string },
): ModelScenario | undefined {
  if (scenario === undefined) return undefined;
  const byId = model.userProvidedId == null ? undefined : scenario.models[model.userProvidedId];
  return byId ?? scenario.models[model.name];
}

export function scenarioForEnvironment(
  scenario: Scenario | undefined,
  environmentName: string,
): ScriptedOutcome | undefined {
  return scenario?.environments[environmentName]?.build;
}
