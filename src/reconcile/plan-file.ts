import { z } from "zod";
import { DrgitopsError } from "../errors.js";
import { ActionSchema, type Action } from "../kinds/index.js";
import { DriftItemSchema, GateItemSchema, RefusalSchema } from "./action.js";
import { PlanOptionsSchema } from "./plan-context.js";

/**
 * The plan: serialisable data (`plan --out`, `apply --plan`), formatVersion 1. Everything apply needs
 * is here except secrets: a sensitive runtime value is named by its variable and hash, and apply
 * re-reads it. Local paths are relative to the project root, so a plan made in one checkout applies
 * in another. The action union comes from the kinds' registry.
 */

export const PlanSummarySchema = z.object({
  actions: z.record(z.string(), z.number().int()),
  total: z.number().int(),
  drift: z.number().int(),
  unchanged: z.number().int(),
  gate: z.number().int(),
  /** Plans written before models could be untested have no such count. */
  untested: z.number().int().default(0),
  refusals: z.number().int(),
});
export type PlanSummary = z.infer<typeof PlanSummarySchema>;

export const PlanSchema = z.object({
  formatVersion: z.literal(1),
  createdAt: z.string(),
  namespace: z.string(),
  options: PlanOptionsSchema,
  actions: z.array(ActionSchema),
  drift: z.array(DriftItemSchema),
  /** Keys with nothing to do. */
  unchanged: z.array(z.string()),
  gate: z.array(GateItemSchema),
  /** Keys of models without a test section: no test runs, no gate applies (older plans: none). */
  untested: z.array(z.string()).default([]),
  refusals: z.array(RefusalSchema),
  summary: PlanSummarySchema,
});
export type Plan = Omit<z.infer<typeof PlanSchema>, "actions"> & { actions: Action[] };

/** A plan is empty when applying it would change nothing (the gate and refusals are not changes). */
export function planHasChanges(plan: Plan): boolean {
  return plan.actions.length > 0;
}

/** Parses a saved plan; the error names the first offending field so a hand-edited file is fixable. */
export function parsePlan(json: unknown, file: string): Plan {
  const parsed = PlanSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue ? issue.path.join(".") || "(root)" : "(root)";
  throw new PlanFileError(
    `${file}: not a drgitops plan (formatVersion 1): ${where}: ${issue?.message ?? "invalid"}; re-create it with \`drgitops plan --out\``,
  );
}

export class PlanFileError extends DrgitopsError {
  constructor(message: string) {
    super("plan-file-invalid", message);
  }
}
