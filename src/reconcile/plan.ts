import { ACTION_TYPES, kinds, type Action } from "../kinds/index.js";
import { desiredOf, liveOf, type AnyKind } from "../kinds/kind.js";
import { keyId } from "../spec/digest.js";
import { pairByIdentity } from "./pair.js";
import {
  matchesTarget,
  PlanOptionsSchema,
  ResolvedRefs,
  type Need,
  type PlanContext,
  type PlanOptions,
  type PlanOutput,
} from "./plan-context.js";
import type { Plan, PlanSummary } from "./plan-file.js";
import type { DesiredBase, DesiredState, LiveState } from "./state.js";

/**
 * The reconciler: pair desired and live by identity, diff, emit actions. Pure: no I/O, no clock unless
 * `createdAt` is omitted. Same inputs, same plan (actions in kind order, keys sorted).
 */

export interface BuildPlanOptions {
  prune?: boolean;
  maxDeletions?: number;
  targets?: readonly string[];
  /** Label selector: every `k=v` must match. */
  selector?: Readonly<Record<string, string>>;
  skipTests?: boolean;
  /** Also read what only trailers vouch for (deployment settings: one request each). */
  detectDrift?: boolean;
  allowEmpty?: boolean;
  /** Key of the sensitive values' digests (the same the desired state was made with). */
  secretKey?: string;
  createdAt?: string;
}

export const DEFAULT_MAX_DELETIONS = 5;

/** A plan, and the live data it lacked: observe fetches `needs` and plans once more. */
export interface PlanResult {
  plan: Plan;
  needs: Need[];
}

function normaliseOptions(options: BuildPlanOptions): PlanOptions {
  return PlanOptionsSchema.parse({
    prune: options.prune ?? false,
    maxDeletions: options.maxDeletions ?? DEFAULT_MAX_DELETIONS,
    targets: [...(options.targets ?? [])],
    selector: { ...(options.selector ?? {}) },
    skipTests: options.skipTests ?? false,
    ...(options.detectDrift === true ? { detectDrift: true } : {}),
    allowEmpty: options.allowEmpty ?? false,
    secretKeyId: options.secretKey === undefined ? null : keyId(options.secretKey),
  });
}

interface ScopeEntry {
  key: string;
  labels: Readonly<Record<string, string>>;
  deps: string[];
}

function scopeEntries(desired: DesiredState): ScopeEntry[] {
  return kinds.flatMap((kind) =>
    desiredOf<DesiredBase>(kind, desired).map((d) => ({
      key: d.key,
      labels: d.labels,
      deps: kind.dependencies(d, desired.namespace),
    })),
  );
}

/**
 * Desired keys in scope: those matching every target/selector condition, plus what they depend on
 * (a targeted model brings its environment and datasets). null when nothing restricts the scope.
 */
export function scopeOf(desired: DesiredState, options: PlanOptions): Set<string> | null {
  const selector = Object.entries(options.selector);
  if (options.targets.length === 0 && selector.length === 0) return null;
  const entries = scopeEntries(desired);
  // Names are unique per kind only: a CustomModel and a RegisteredModel may share a key.
  const deps = new Map<string, string[]>();
  for (const e of entries) deps.set(e.key, [...(deps.get(e.key) ?? []), ...e.deps]);
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

/** Keys of the live objects of every kind that drgitops manages in the namespace. */
function managedLiveKeys(live: LiveState): string[] {
  return kinds.flatMap((kind) =>
    kind.live.objects(liveOf(kind, live)).flatMap((l: unknown) => kind.live.identities(l, live.namespace)),
  );
}

/** A mistyped --target must not look like "nothing to do". */
function unmatchedTargets(desired: DesiredState, live: LiveState, options: PlanOptions): string[] {
  if (options.targets.length === 0) return [];
  const keys = [...scopeEntries(desired).map((e) => e.key), ...managedLiveKeys(live)];
  return options.targets.filter((t) => !keys.some((key) => matchesTarget(key, t, desired.namespace)));
}

function planKind(kind: AnyKind, ctx: PlanContext): void {
  const desired = desiredOf<DesiredBase>(kind, ctx.desired).filter(
    (d) => ctx.scope === null || ctx.scope.has(d.key),
  );
  const live = kind.live.objects(liveOf(kind, ctx.live)) as readonly unknown[];
  const pairs = pairByIdentity(
    desired,
    live,
    (d) => (kind.identity ? kind.identity(d) : d.key),
    (l) => kind.live.identities(l, ctx.desired.namespace),
  );
  for (const pair of pairs) kind.plan(pair, ctx);
}

export function buildPlan(
  desired: DesiredState,
  live: LiveState,
  options: BuildPlanOptions = {},
): PlanResult {
  const planOptions = normaliseOptions(options);
  const out: PlanOutput = {
    actions: [],
    deletions: [],
    drift: [],
    unchanged: [],
    gate: [],
    untested: [],
    refusals: [],
    needs: [],
  };
  const ctx: PlanContext = {
    desired,
    live,
    options: planOptions,
    scope: scopeOf(desired, planOptions),
    refs: new ResolvedRefs(),
    secretKey: options.secretKey ?? "",
    out,
  };
  for (const kind of kinds) planKind(kind, ctx);
  for (const target of unmatchedTargets(desired, live, planOptions))
    out.refusals.push({
      key: null,
      reason: `--target ${target} matches no manifest and no managed model in ${desired.namespace}; check the name`,
      blocking: true,
    });
  const empty = kinds.every((kind) => desiredOf<DesiredBase>(kind, desired).length === 0);
  if (planOptions.prune && empty && !planOptions.allowEmpty && out.deletions.length > 0) {
    // A wrong path, a typo in drgitops.yaml or an empty checkout must never read as "delete everything".
    out.refusals.push({
      key: null,
      reason: `no manifests were loaded for namespace ${desired.namespace}, so prune would delete every managed model (${out.deletions.length}); nothing is deleted. Check the paths, or pass --allow-empty if that is what you want.`,
      blocking: true,
    });
  } else if (out.deletions.length > planOptions.maxDeletions) {
    out.refusals.push({
      key: null,
      reason: `prune would delete ${out.deletions.length} resource${out.deletions.length === 1 ? "" : "s"} (${out.deletions.map((a) => a.key).join(", ")}), more than --max-deletions ${planOptions.maxDeletions}; nothing is deleted. Raise --max-deletions if this is intended.`,
      blocking: true,
    });
  } else {
    out.actions.push(...out.deletions);
  }
  const plan: Plan = {
    formatVersion: 1,
    createdAt: options.createdAt ?? new Date().toISOString(),
    namespace: desired.namespace,
    options: planOptions,
    // Each kind pushes only its own actions, whose schemas make up the Action union.
    actions: out.actions as Action[],
    drift: out.drift,
    unchanged: [...out.unchanged].sort(),
    gate: out.gate,
    untested: [...out.untested].sort(),
    refusals: out.refusals,
    summary: summarise(out),
  };
  return { plan, needs: out.needs };
}

/** The counts of a plan's parts (also for a plan narrowed after planning, such as a shard). */
export function summarise(
  out: Pick<PlanOutput, "actions" | "drift" | "unchanged" | "gate" | "untested" | "refusals">,
): PlanSummary {
  const actions: Record<string, number> = {};
  for (const type of ACTION_TYPES) actions[type] = 0;
  for (const a of out.actions) actions[a.type] = (actions[a.type] ?? 0) + 1;
  return {
    actions,
    total: out.actions.length,
    drift: out.drift.length,
    unchanged: out.unchanged.length,
    gate: out.gate.length,
    untested: out.untested.length,
    refusals: out.refusals.length,
  };
}
