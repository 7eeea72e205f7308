import type { Plan } from "../../reconcile/plan-file.js";
import {
  describeChange,
  effectOf,
  groupByKey,
  kindSections,
  MARKER,
  planScope,
  scopeSuffix,
  summaryLine,
  untestedNote,
  verbOf,
} from "./format.js";
import { cell, code, escapeHtml } from "./markdown-text.js";
import { textDiff, type ReadText } from "./text-diff.js";

export interface MarkdownOptions {
  readText?: ReadText;
}

/**
 * The plan as a pull-request comment: headline counts, drift and the gate first (what a reviewer
 * must see), a table of resources, and per-resource details collapsed in <details>.
 */
export async function renderMarkdown(plan: Plan, options: MarkdownOptions = {}): Promise<string> {
  const heading = `### drgitops plan for ${code(plan.namespace)}${scopeSuffix(planScope(plan, code))}`;
  const out: string[] = [heading, "", `**${summaryLine(plan)}**`, ""];
  if (plan.drift.length > 0) {
    out.push("> [!WARNING]", "> **Drift**: changed outside drgitops; applying restores the manifests.");
    for (const d of plan.drift) out.push(`> - ${code(d.key)}: ${cell(d.summary)}`);
    out.push("");
  }
  if (plan.gate.length > 0) {
    out.push("> [!CAUTION]", "> **Test gate failed**: apply exits 7 until the model or its test changes.");
    for (const g of plan.gate) out.push(`> - ${code(g.key)}: ${cell(g.message)}`);
    out.push("");
  }
  const untested = untestedNote(plan);
  if (untested !== undefined) {
    out.push("> [!NOTE]", `> **${untested}**: ${plan.untested.map((k) => code(k)).join(", ")}`, "");
  }
  if (plan.refusals.length > 0) {
    out.push("> [!IMPORTANT]", "> **Refused**");
    for (const r of plan.refusals)
      out.push(
        `> - ${r.blocking ? "**blocking** " : ""}${r.key === null ? "" : `${code(r.key)}: `}${cell(r.reason)}`,
      );
    out.push("");
  }
  for (const section of kindSections(plan)) {
    out.push(`**${section.title}**`, "");
    for (const line of section.lines) out.push(`- ${code(line)}`);
    out.push("");
  }
  const groups = groupByKey(plan.actions);
  if (groups.length === 0) {
    out.push("No changes. DataRobot matches the manifests.", "");
  } else {
    out.push("| | Resource | Actions | Why |", "|---|---|---|---|");
    for (const [key, actions] of groups) {
      const markers = [...new Set(actions.map((a) => MARKER[effectOf(a)]))].join("");
      const verbs = actions.map((a) => verbOf(a)).join(", ");
      out.push(`| ${markers} | ${code(key)} | ${cell(verbs)} | ${cell(actions[0]!.reasons.join("; "))} |`);
    }
    out.push("");
    for (const [key, actions] of groups) {
      out.push(
        `<details><summary>${escapeHtml(key)}: ${actions.length} action${actions.length === 1 ? "" : "s"}</summary>`,
        "",
      );
      for (const action of actions) {
        out.push(`- **${verbOf(action)}**: ${cell(action.reasons.join("; "))}`);
        for (const change of action.changes) {
          out.push(`  - ${code(describeChange(change))}`);
          if (change.kind !== "file") continue;
          const diff = await textDiff(action, change, options.readText);
          if (diff?.kind === "note") out.push(`    ${diff.note}`);
          if (diff?.kind === "lines") {
            const fence = diff.lines.some((l) => l.includes("```")) ? "~~~~" : "```";
            out.push("", `    ${fence}diff`, ...diff.lines.map((l) => `    ${l}`), `    ${fence}`, "");
          }
        }
      }
      out.push("", "</details>", "");
    }
  }
  if (plan.unchanged.length > 0)
    out.push(`${plan.unchanged.length} resource${plan.unchanged.length === 1 ? "" : "s"} unchanged.`);
  return `${out.join("\n").trimEnd()}\n`;
}
