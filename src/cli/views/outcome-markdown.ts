import type { TaskResult } from "../../reconcile/executor.js";
import type { FailureLog } from "../../reconcile/events.js";
import type { Plan } from "../../reconcile/plan-file.js";
import { planScope, scopeSuffix } from "./format.js";
import { cell, code, escapeHtml } from "./markdown-text.js";
import { ResourceOutcome, type ResourceSummary } from "./outcome-table.js";

const ICON: Record<ResourceOutcome, string> = {
  succeeded: "✅",
  failed: "❌",
  skipped: "⏭️",
  unchanged: "",
};

/** A fence longer than any backtick run in the lines, so a log cannot close it early. */
function fenceFor(lines: readonly string[]): string {
  const longest = Math.max(
    2,
    ...lines.map((l) => Math.max(0, ...(l.match(/`+/g) ?? []).map((r) => r.length))),
  );
  return "`".repeat(longest + 1);
}

/** `last 20 lines of the test log (134 earlier lines left out)`. */
export function logHeading(log: FailureLog): string {
  const earlier =
    log.omitted > 0 ? ` (${log.omitted} earlier line${log.omitted === 1 ? "" : "s"} left out)` : "";
  return `last ${log.lines.length} line${log.lines.length === 1 ? "" : "s"} of the ${log.source}${earlier}`;
}

/**
 * The outcome of an apply for the job summary and the pull request: totals, a row per resource that
 * something happened to (unchanged ones as a count), the test gate, and the log tail of each
 * failure in a collapsed block.
 */
export function renderOutcomeMarkdown(
  plan: Pick<Plan, "namespace" | "profile" | "shard" | "changedSince" | "gate">,
  rows: readonly ResourceSummary[],
  results: readonly TaskResult[],
  exitCode: number,
): string {
  const count = (o: ResourceOutcome): number => rows.filter((r) => r.outcome === o).length;
  const totals = ResourceOutcome.options.map((o) => `${count(o)} ${o}`).join(", ");
  const out = [
    `### drgitops apply for ${code(plan.namespace)}${scopeSuffix(planScope(plan, code))}`,
    "",
    `**Resources: ${totals}.** Exit code ${exitCode}.`,
    "",
  ];
  const changed = rows.filter((r) => r.outcome !== "unchanged");
  if (changed.length > 0) {
    out.push("| | Resource | Outcome | Detail |", "|---|---|---|---|");
    for (const r of changed)
      out.push(`| ${ICON[r.outcome]} | ${code(r.key)} | ${r.outcome} | ${cell(r.detail)} |`);
    out.push("");
  }
  if (plan.gate.length > 0) {
    out.push("> [!CAUTION]", "> **Test gate failed**: apply exits 7 until the model or its test changes.");
    for (const g of plan.gate) out.push(`> - ${code(g.key)}: ${cell(g.message)}`);
    out.push("");
  }
  for (const r of results) {
    if (r.log === undefined || r.log.lines.length === 0) continue;
    const fence = fenceFor(r.log.lines);
    out.push(
      `<details><summary>${escapeHtml(`${r.type} ${r.key}`)}: ${escapeHtml(logHeading(r.log))}</summary>`,
      "",
      `${fence}text`,
      ...r.log.lines,
      fence,
      "",
      "</details>",
      "",
    );
  }
  return `${out.join("\n").trimEnd()}\n`;
}

/** The log tails of failed actions for the terminal, after the outcome table. */
export function formatFailureLogs(results: readonly TaskResult[]): string {
  const out: string[] = [];
  for (const r of results) {
    if (r.log === undefined || r.log.lines.length === 0) continue;
    out.push("", `${r.type} ${r.key}: ${logHeading(r.log)}:`, ...r.log.lines.map((l) => `  | ${l}`));
  }
  return out.length === 0 ? "" : `${out.join("\n")}\n`;
}
