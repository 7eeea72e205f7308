import { kinds } from "../../kinds/index.js";
import type { ActionText, BaseAction, Effect, FieldChange, PlanSection } from "../../reconcile/action.js";
import type { Plan } from "../../reconcile/plan-file.js";

/** Shared wording of the views: one place decides how a value reads; each kind how its actions read. */

const ACTION_TEXT: ReadonlyMap<string, ActionText> = new Map(
  kinds.flatMap((k) => Object.entries(k.render.actions)),
);

/** How an action reads (its kind's render.ts); an unknown type reads as itself. */
export function actionText(type: string): ActionText {
  return ACTION_TEXT.get(type) ?? { effect: "change", verb: () => type };
}

/** The sections kinds add to a plan (what goes live), in registry order; none for most plans. */
export function kindSections(plan: Plan): PlanSection[] {
  return kinds.flatMap((k) => {
    const section = k.render.section?.(plan.actions);
    return section ? [section] : [];
  });
}

export const MARKER: Record<Effect, string> = { create: "+", change: "~", delete: "-" };

export function verbOf(action: BaseAction): string {
  return actionText(action.type).verb(action);
}

export function effectOf(action: BaseAction): Effect {
  return actionText(action.type).effect;
}

/**
 * What narrows a plan, for its heading: `["profile prod", "shard 2/3", "changed since main"]`; empty
 * for a plain plan (so its heading stays as it always was). `quote` marks names in markdown.
 */
export function planScope(
  plan: Pick<Plan, "profile" | "shard" | "changedSince">,
  quote: (text: string) => string = (t) => t,
): string[] {
  return [
    ...(plan.profile === undefined ? [] : [`profile ${quote(plan.profile)}`]),
    ...(plan.shard === undefined ? [] : [`shard ${plan.shard.index}/${plan.shard.count}`]),
    ...(plan.changedSince === undefined ? [] : [`changed since ${quote(plan.changedSince)}`]),
  ];
}

/** ` (profile prod, shard 2/3)` after a heading, or nothing. */
export function scopeSuffix(scope: readonly string[]): string {
  return scope.length === 0 ? "" : ` (${scope.join(", ")})`;
}

/** Actions grouped by resource key, in plan order. */
export function groupByKey<A extends BaseAction>(actions: readonly A[]): [string, A[]][] {
  const groups = new Map<string, A[]>();
  for (const a of actions) groups.set(a.key, [...(groups.get(a.key) ?? []), a]);
  return [...groups];
}

const MAX_VALUE = 120;

const DIGEST = /^sha256:([0-9a-f]{12})[0-9a-f]{52}$/;

/** A value on one line: JSON, digests shortened like git's, long strings cut, never a multi-line blob. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return "(none)";
  const text = JSON.stringify(value, (_key, v: unknown) =>
    typeof v === "string" ? v.replace(DIGEST, "sha256:$1…") : v,
  );
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

export function formatBytes(size: number): string {
  if (size < 1024) return `${size} B`;
  const units = ["KiB", "MiB", "GiB"];
  let value = size / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

export function shortDigest(sha256: string): string {
  return sha256.slice(0, 12);
}

/** One line per field change; sensitive values only ever read "(sensitive, changed)". */
export function describeChange(change: FieldChange): string {
  switch (change.kind) {
    case "sensitive":
      return `${change.path}: (sensitive, changed)`;
    case "value":
      return change.before === null
        ? `${change.path}: ${formatValue(change.after)}`
        : `${change.path}: ${formatValue(change.before)} -> ${formatValue(change.after)}`;
    case "file": {
      const side = (f: { sha256: string; size: number } | null): string =>
        f ? `${formatBytes(f.size)}, ${shortDigest(f.sha256)}` : "unknown";
      if (change.change === "added") return `${change.path} (new file: ${side(change.after)})`;
      if (change.change === "removed") return `${change.path} (deleted: ${side(change.before)})`;
      return `${change.path} (${side(change.before)} -> ${side(change.after)})`;
    }
  }
}

/** "2 to create, 3 to change, 1 to delete" plus what a reader looks for next. */
export function summaryLine(plan: Plan): string {
  const counts: Record<Effect, number> = { create: 0, change: 0, delete: 0 };
  for (const a of plan.actions) counts[effectOf(a)]++;
  // The action types each kind counts by name ("1 new version, 1 test run"), in registry order.
  const counted = [...ACTION_TEXT].flatMap(([type, text]) => {
    const n = plan.summary.actions[type] ?? 0;
    return text.noun !== undefined && n > 0 ? [`${n} ${text.noun}${n === 1 ? "" : "s"}`] : [];
  });
  const extras = [
    ...counted,
    plan.unchanged.length > 0 ? `${plan.unchanged.length} unchanged` : "",
    plan.drift.length > 0 ? `${plan.drift.length} drifted` : "",
    plan.gate.length > 0 ? `${plan.gate.length} failing test gate${plan.gate.length === 1 ? "" : "s"}` : "",
    plan.refusals.length > 0 ? `${plan.refusals.length} refused` : "",
  ].filter((s) => s !== "");
  const main = `${counts.create} to create, ${counts.change} to change, ${counts.delete} to delete`;
  return extras.length > 0 ? `${main}; ${extras.join(", ")}` : main;
}

/** The untested note, the same in every view: what has no test, and what that means. */
export function untestedNote(plan: Plan): string | undefined {
  const n = plan.untested.length;
  if (n === 0) return undefined;
  return `Untested: ${n} model${n === 1 ? " has" : "s have"} no test section, so no test runs and no gate applies`;
}
