import type { BaseAction } from "../../reconcile/action.js";
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
import { createStyle, type Style } from "./style.js";
import { textDiff, type ReadText } from "./text-diff.js";

export interface HumanOptions {
  color: boolean;
  readText?: ReadText;
}

/**
 * The terminal plan, Terraform-like: drift first and apart, then actions grouped by resource with
 * the reason and field changes of each, unchanged resources as a count, and the counts at the end.
 */
export async function renderHuman(plan: Plan, options: HumanOptions): Promise<string> {
  const s = createStyle(options.color);
  const out: string[] = [
    `drgitops plan for namespace ${s.bold(plan.namespace)}${scopeSuffix(planScope(plan))}`,
    "",
  ];

  if (plan.drift.length > 0) {
    out.push(s.warn(s.bold("Drift: changed outside drgitops (the actions below restore the manifests)")));
    for (const d of plan.drift) {
      out.push(`  ${s.warn("!")} ${s.bold(d.key)}: ${d.summary}`);
      for (const c of d.changes) out.push(`      ${describeChange(c)}`);
    }
    out.push("");
  }

  for (const section of kindSections(plan)) {
    out.push(s.bold(section.title));
    for (const line of section.lines) out.push(`  ${line}`);
    out.push("");
  }

  const groups = groupByKey(plan.actions);
  if (groups.length === 0) out.push("No changes. DataRobot matches the manifests.", "");
  for (const [key, actions] of groups) {
    out.push(s.bold(key));
    for (const action of actions) out.push(...(await renderAction(action, s, options.readText)));
    out.push("");
  }

  if (plan.gate.length > 0) {
    out.push(s.remove(s.bold("Test gate: failed (apply exits 7 until the model or its test changes)")));
    for (const g of plan.gate) out.push(`  ${s.remove("✗")} ${s.bold(g.key)}: ${g.message}`);
    out.push("");
  }
  const untested = untestedNote(plan);
  if (untested !== undefined) {
    out.push(s.bold(untested));
    for (const key of plan.untested) out.push(`  ${s.dim("-")} ${key}`);
    out.push("");
  }
  if (plan.refusals.length > 0) {
    out.push(s.warn(s.bold("Refused")));
    for (const r of plan.refusals)
      out.push(
        `  ${s.warn(r.blocking ? "✗" : "!")} ${r.key === null ? "" : `${s.bold(r.key)}: `}${r.reason}`,
      );
    out.push("");
  }
  if (plan.unchanged.length > 0)
    out.push(
      s.dim(`${plan.unchanged.length} resource${plan.unchanged.length === 1 ? "" : "s"} unchanged.`),
      "",
    );
  out.push(`${s.bold("Plan:")} ${summaryLine(plan)}.`);
  return `${out.join("\n")}\n`;
}

async function renderAction(action: BaseAction, s: Style, readText: ReadText | undefined): Promise<string[]> {
  const effect = effectOf(action);
  const paint = effect === "create" ? s.add : effect === "delete" ? s.remove : s.change;
  const lines = [
    `  ${paint(`${MARKER[effect]} ${verbOf(action)}`)}${s.dim(`  # ${action.reasons.join("; ")}`)}`,
  ];
  for (const change of action.changes) {
    lines.push(`      ${describeChange(change)}`);
    if (change.kind !== "file") continue;
    const diff = await textDiff(action, change, readText);
    if (diff?.kind === "note") lines.push(`        ${s.dim(diff.note)}`);
    if (diff?.kind === "lines")
      for (const line of diff.lines) {
        const color = line.startsWith("+")
          ? s.add
          : line.startsWith("-")
            ? s.remove
            : line.startsWith("@@")
              ? s.dim
              : (t: string) => t;
        lines.push(`        ${color(line)}`);
      }
  }
  return lines;
}
