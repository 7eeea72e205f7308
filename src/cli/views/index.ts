import type { Plan } from "../../reconcile/plan-file.js";
import { renderHuman } from "./plan-human.js";
import { renderJson } from "./plan-json.js";
import { renderMarkdown } from "./plan-markdown.js";
import type { ReadText } from "./text-diff.js";

export { renderHuman, type HumanOptions } from "./plan-human.js";
export { renderJson } from "./plan-json.js";
export { renderMarkdown, type MarkdownOptions } from "./plan-markdown.js";
export { createStyle, shouldColor, type Style } from "./style.js";
export { summaryLine } from "./format.js";
export type { ReadText, TextSource } from "./text-diff.js";

export const PLAN_FORMATS = ["human", "json", "markdown"] as const;
export type PlanFormat = (typeof PLAN_FORMATS)[number];

/** One entry point for `plan --format`: colour applies to human output only. */
export async function renderPlan(
  plan: Plan,
  format: PlanFormat,
  options: { color: boolean; readText?: ReadText },
): Promise<string> {
  if (format === "json") return renderJson(plan);
  const readText = options.readText ? { readText: options.readText } : {};
  if (format === "markdown") return renderMarkdown(plan, readText);
  return renderHuman(plan, { color: options.color, ...readText });
}
