import { PlanSchema, type Plan } from "../../reconcile/plan-file.js";

/** The plan file and `--format json`: the Plan itself (formatVersion 1), checked against its schema. */
export function renderJson(plan: Plan): string {
  return `${JSON.stringify(PlanSchema.parse(plan), null, 2)}\n`;
}
