import type { Rule, RuleContext } from "./context.js";
import { metadataDefinitionRules, runtimeParameterRules } from "./model-metadata.js";
import { pathRules } from "./paths.js";
import { danglingRefs, duplicateKeys } from "./references.js";
import { targetTypeRules } from "./target-type.js";

/** Every rule runs on every load, so one validation reports all problems at once. */
export const RULES: readonly Rule[] = [
  duplicateKeys,
  danglingRefs,
  targetTypeRules,
  pathRules,
  metadataDefinitionRules,
  runtimeParameterRules,
];

export function runRules(ctx: RuleContext): void {
  for (const rule of RULES) rule(ctx);
}

export type {
  RuleContext,
  RuleIssue,
  ModelEntry,
  ModelFacts,
  EnvironmentEntry,
  DatasetEntry,
  PathFact,
} from "./context.js";
