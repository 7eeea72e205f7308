import type { DesiredState } from "./desired.js";
import { kinds } from "./kinds/index.js";
import {
  matchesTarget,
  type NeededFileDigests,
  type NeededLatestTest,
  type PlanContext,
  type PlanOutput,
} from "./kinds/kind.js";
import type { LiveState } from "./live.js";
import {
  ACTION_TYPES,
  PlanOptionsSchema,
  type Plan,
  type PlanOptions,
  type PlanSummary,
} from "./plan-file.js";

/**
 * The reconciler: pair desired and live by key, diff, emit actions. Pure: no I/O, no clock unless
 * `createdAt` is omitted. Same inputs, same plan (actions in kind order, keys sorted).
 */

export interface BuildPlanOptions {
  prune?: boolean;
  maxDeletions?: number;
  targets?: readonly string[];
  /** Label selector: every `k=v` must match. */
  selector?: Readonly<Record<string, string>>;
  skipTests?: boolean;
  createdAt?: string;
}

export const DEFAULT_MAX_DELETIONS = 5;

function normaliseOptions(options: BuildPlanOptions): PlanOptions {
  return PlanOptionsSchema.parse({
    prune: options.prune ?? false,
    maxDeletions: options.maxDeletions ?? DEFAULT_MAX_DELETIONS,
    targets: [...(options.targets ?? [])],
    selector: { ...(options.selector ?? {}) },
    skipTests: options.skipTests ?? false,
  });
}

/**
 * Desired keys in scope: those matching every target/selector condition, plus what they depend on
 * (a targeted model brings its environment and datasets). null when nothing restricts the scope.
 */
export function scopeOf(desired: DesiredState, options: PlanOptions): Set<string> | null {
  const selector = Object.entries(options.selector);
  if (options.targets.length === 0 && selector.length === 0) return null;
  const entries = kinds.flatMap((k) => k.scopeEntries(desired));
  const deps = new Map(entries.map((e) => [e.key, e.deps]));
  const scope = new Set<string>();
  const add = (key: string): void => {
    if (scope.has(key)) return;
    scope.add(key);
    for (const dep of deps.get(key) ?? []) add(dep);
  };
  for (const e of entries) {
    const targeted =
      options.targets.length === 0 || options.targets.some((t) => matchesTarget(e.key, t, desired.namespace));
    const selected = selector.every(([k, v]) => e.labels[k] === v);
    if (targeted && selected) add(e.key);
  }
  return scope;
}

/** A mistyped --target must not look like "nothing to do". */
function unmatchedTargets(desired: DesiredState, live: LiveState, options: PlanOptions): string[] {
  const keys = [
    ...kinds.flatMap((k) => k.scopeEntries(desired).map((e) => e.key)),
    ...live.models.map((m) => m.key),
  ];
  return options.targets.filter((t) => !keys.some((key) => matchesTarget(key, t, desired.namespace)));
}

function newContext(desired: DesiredState, live: LiveState, options: PlanOptions): PlanContext {
  const out: PlanOutput = {
    actions: [],
    deletions: [],
    drift: [],
    unchanged: [],
    gate: [],
    refusals: [],
    needs: { fileDigests: [], latestTests: [] },
  };
  return {
    desired,
    live,
    options,
    scope: scopeOf(desired, options),
    environments: new Map(),
    datasets: new Map(),
    out,
  };
}

export function buildPlan(desired: DesiredState, live: LiveState, options: BuildPlanOptions = {}): Plan {
  const planOptions = normaliseOptions(options);
  const ctx = newContext(desired, live, planOptions);
  for (const kind of kinds) kind.plan(ctx);
  const { out } = ctx;
  for (const target of unmatchedTargets(desired, live, planOptions))
    out.refusals.push({
      key: null,
      reason: `--target ${target} matches no manifest and no managed model in ${desired.namespace}; check the name`,
      blocking: true,
    });
  if (out.deletions.length > planOptions.maxDeletions) {
    out.refusals.push({
      key: null,
      reason: `prune would delete ${out.deletions.length} models (${out.deletions.map((a) => a.key).join(", ")}), more than --max-deletions ${planOptions.maxDeletions}; nothing is deleted. Raise --max-deletions if this is intended.`,
      blocking: true,
    });
  } else {
    out.actions.push(...out.deletions);
  }
  return {
    formatVersion: 1,
    createdAt: options.createdAt ?? new Date().toISOString(),
    namespace: desired.namespace,
    options: planOptions,
    actions: out.actions,
    drift: out.drift,
    unchanged: [...out.unchanged].sort(),
    gate: out.gate,
    refusals: out.refusals,
    summary: summarise(out),
  };
}

function summarise(out: PlanOutput): PlanSummary {
  const actions: Record<string, number> = {};
  for (const type of ACTION_TYPES) actions[type] = 0;
  for (const a of out.actions) actions[a.type] = (actions[a.type] ?? 0) + 1;
  return {
    actions,
    total: out.actions.length,
    drift: out.drift.length,
    unchanged: out.unchanged.length,
    gate: out.gate.length,
    refusals: out.refusals.length,
  };
}

/**
 * Versions whose per-file digests the plan needs: latest versions whose trailer does not already
 * prove them in sync (another key, no trailer, or another fingerprint). Observe fills
 * `live.versionFiles` for exactly these, from the version cache or a download. Call it first.
 */
export function versionsNeedingFileDigests(
  desired: DesiredState,
  live: LiveState,
  options: BuildPlanOptions = {},
): NeededFileDigests[] {
  return dryRun(desired, live, options).fileDigests;
}

/**
 * Models whose latest test must be listed: a test is declared, no new version is planned, and the
 * latest version's trailer records no outcome. After a normal apply every trailer has one, so a
 * no-change plan makes no test calls. Call it after the file digests are in `live`.
 */
export function modelsNeedingLatestTest(
  desired: DesiredState,
  live: LiveState,
  options: BuildPlanOptions = {},
): NeededLatestTest[] {
  return dryRun(desired, live, options).latestTests;
}

/** The kinds report, while planning, what live data they missed; nothing else of the run is kept. */
function dryRun(desired: DesiredState, live: LiveState, options: BuildPlanOptions): PlanOutput["needs"] {
  const ctx = newContext(desired, live, normaliseOptions(options));
  for (const kind of kinds) kind.plan(ctx);
  return ctx.out.needs;
}
