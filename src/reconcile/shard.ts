import { kinds } from "../kinds/index.js";
import { desiredOf } from "../kinds/kind.js";
import { UsageError } from "../errors.js";
import { sha256Hex } from "../spec/digest.js";
import type { Plan } from "./plan-file.js";
import { summarise } from "./plan.js";
import type { DesiredBase, DesiredState } from "./state.js";

/**
 * `--shard I/N` (DESIGN §12): a deterministic share of a plan, so a CI matrix of N jobs covers every
 * resource exactly once. Pure. Every job plans the same whole plan and keeps its share, so the N
 * shares partition it (no action twice, none lost) and each share is complete on its own:
 *
 * - a resource nothing depends on goes to the shard of the hash of its key;
 * - a resource others depend on (an environment, a dataset) goes with its first dependent (by key);
 * - resources whose actions wait for each other's (models waiting for their environment's new
 *   build) stay together, in the shard of the one they wait for, so no share waits on another job.
 */

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** `2/3` -> {index: 2, count: 3}; anything else (`0/3`, `4/3`, `x`) is a usage error. */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (match === null || count < 1 || index < 1 || index > count || count > 1000)
    throw new UsageError(
      `--shard must be I/N with 1 <= I <= N (e.g. 2/3 for the second of three jobs), got "${text}"`,
    );
  return { index, count };
}

/** The shard of a key by hash alone: stable across runs, machines and plan contents. */
export function hashShard(key: string, count: number): number {
  return (parseInt(sha256Hex(key).slice(0, 8), 16) % count) + 1;
}

/** Keys of the desired resources that depend on each key. */
function dependentsByKey(desired: DesiredState): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const kind of kinds)
    for (const d of desiredOf<DesiredBase>(kind, desired))
      for (const dep of kind.dependencies(d, desired.namespace))
        if (dep !== d.key) out.set(dep, [...(out.get(dep) ?? []), d.key]);
  return out;
}

/** Union-find over keys: resources whose actions depend on each other's. */
class Groups {
  private readonly parent = new Map<string, string>();
  find(key: string): string {
    const p = this.parent.get(key);
    if (p === undefined || p === key) return key;
    const root = this.find(p);
    this.parent.set(key, root);
    return root;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(ra, rb);
  }
}

/** The shard owning each key of the plan (actions, drift, gate, unchanged, untested, refusals). */
export function shardOwners(plan: Plan, desired: DesiredState, count: number): (key: string) => number {
  const dependents = dependentsByKey(desired);
  const homes = new Map<string, number>();
  const home = (key: string, seen: ReadonlySet<string> = new Set()): number => {
    const known = homes.get(key);
    if (known !== undefined) return known;
    const first = [...(dependents.get(key) ?? [])].filter((k) => !seen.has(k)).sort()[0];
    const shard = first === undefined ? hashShard(key, count) : home(first, new Set([...seen, key]));
    homes.set(key, shard);
    return shard;
  };
  const keyOfAction = new Map(plan.actions.map((a) => [a.id, a.key]));
  const groups = new Groups();
  // What others wait for: the group goes where its first such resource goes.
  const providers = new Set<string>();
  for (const a of plan.actions)
    for (const dep of a.dependsOn) {
      const other = keyOfAction.get(dep);
      if (other === undefined || other === a.key) continue;
      groups.union(a.key, other);
      providers.add(other);
    }
  const lead = new Map<string, string>();
  for (const key of [...providers].sort()) {
    const root = groups.find(key);
    if (!lead.has(root)) lead.set(root, key);
  }
  return (key) => home(lead.get(groups.find(key)) ?? key);
}

/**
 * Share `shard.index` of `plan`. Refusals without a key (too many deletions, a mistyped --target)
 * and blocking ones concern the whole plan (apply refuses it all) and are in every share, so every
 * job refuses as the whole plan would.
 */
export function shardPlan(plan: Plan, desired: DesiredState, shard: Shard): Plan {
  const owner = shardOwners(plan, desired, shard.count);
  const mine = (key: string): boolean => owner(key) === shard.index;
  const parts = {
    actions: plan.actions.filter((a) => mine(a.key)),
    drift: plan.drift.filter((d) => mine(d.key)),
    unchanged: plan.unchanged.filter(mine),
    gate: plan.gate.filter((g) => mine(g.key)),
    untested: plan.untested.filter(mine),
    refusals: plan.refusals.filter((r) => r.key === null || r.blocking || mine(r.key)),
  };
  return { ...plan, ...parts, shard: { index: shard.index, count: shard.count }, summary: summarise(parts) };
}
