import type { DesiredState } from "../desired.js";
import type { LiveState } from "../live.js";
import { pairByKey, type Pair } from "../pair.js";
import type {
  Action,
  DriftItem,
  GateItem,
  PendingId,
  PlanOptions,
  Refusal,
  VersionSpec,
} from "../plan-file.js";

/** What a model version needs from an environment: ids known now, or the action producing them. */
export type EnvironmentResolution = NonNullable<VersionSpec["environment"]>;

/** Everything a kind's planner reads and writes; kinds planned earlier publish resolutions here. */
export interface PlanContext {
  readonly desired: DesiredState;
  readonly live: LiveState;
  readonly options: PlanOptions;
  /** Desired keys in scope (targets/selector and their dependencies); null = all. */
  readonly scope: ReadonlySet<string> | null;
  /** Environment key -> how to reach it; filled by the environment kind. */
  readonly environments: Map<string, EnvironmentResolution>;
  /** Dataset key -> its catalog id or upload action; filled by the dataset kind. */
  readonly datasets: Map<string, PendingId>;
  readonly out: PlanOutput;
}

export interface PlanOutput {
  actions: Action[];
  /** Destructive actions, held apart so --max-deletions can refuse them all at once. */
  deletions: Action[];
  drift: DriftItem[];
  unchanged: string[];
  gate: GateItem[];
  refusals: Refusal[];
  /** Live data the planner lacked (observe fetches it lazily, then plans again). */
  needs: { fileDigests: NeededFileDigests[]; latestTests: NeededLatestTest[] };
}

export interface NeededFileDigests {
  modelKey: string;
  modelId: string;
  versionId: string;
}

export interface NeededLatestTest {
  modelKey: string;
  modelId: string;
}

/**
 * One resource kind's behaviour (DESIGN.md §2: shared code never branches on a kind). Kinds are
 * planned in registry order, so a kind may read the resolutions of the kinds before it.
 */
export interface KindPlanner<D, L> {
  readonly kind: string;
  desired(state: DesiredState): readonly D[];
  live(state: LiveState): readonly L[];
  desiredKey(d: D): string;
  /** null: not managed by drgitops, so never paired, never pruned. */
  liveKey(l: L): string | null;
  labels(d: D): Readonly<Record<string, string>>;
  /** Keys of desired objects (any kind) this one needs: kept in scope with it. */
  dependencies(d: D, namespace: string): string[];
  plan(pair: Pair<D, L>, ctx: PlanContext): void;
}

/** A planner with its types hidden, so the registry can hold kinds of different shapes. */
export interface AnyKind {
  readonly kind: string;
  /** Desired keys with labels and dependencies, for scoping. */
  scopeEntries(
    state: DesiredState,
  ): { key: string; labels: Readonly<Record<string, string>>; deps: string[] }[];
  plan(ctx: PlanContext): void;
}

export function defineKind<D, L>(planner: KindPlanner<D, L>): AnyKind & { planner: KindPlanner<D, L> } {
  return {
    kind: planner.kind,
    planner,
    scopeEntries: (state) =>
      planner.desired(state).map((d) => ({
        key: planner.desiredKey(d),
        labels: planner.labels(d),
        deps: planner.dependencies(d, state.namespace),
      })),
    plan: (ctx) => {
      const desired = planner
        .desired(ctx.desired)
        .filter((d) => ctx.scope === null || ctx.scope.has(planner.desiredKey(d)));
      const pairs = pairByKeyFor(planner, desired, planner.live(ctx.live));
      for (const pair of pairs) planner.plan(pair, ctx);
    },
  };
}

function pairByKeyFor<D, L>(
  planner: KindPlanner<D, L>,
  desired: readonly D[],
  live: readonly L[],
): Pair<D, L>[] {
  return pairByKey(
    desired,
    live,
    (d) => planner.desiredKey(d),
    (l) => planner.liveKey(l),
  );
}

/** `<namespace>/<name>`: the key of a manifest reference. */
export function keyOf(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** Deterministic, readable action ids: one action of a type per key. */
export function actionId(type: Action["type"], key: string): string {
  return `${type}:${key}`;
}

/** A `--target` names a key, with or without the namespace. */
export function matchesTarget(key: string, target: string, namespace: string): boolean {
  return key === target || key === keyOf(namespace, target);
}

/**
 * Whether an object with no manifest may be pruned in this run: with --target only the targeted keys
 * (an object merely filtered out is not "gone"); with --selector nothing, since the labels of a
 * deleted manifest are unknown.
 */
export function prunable(key: string, ctx: PlanContext): boolean {
  const { targets, selector } = ctx.options;
  if (Object.keys(selector).length > 0) return false;
  if (targets.length > 0) return targets.some((t) => matchesTarget(key, t, ctx.desired.namespace));
  return true;
}
