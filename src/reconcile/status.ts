import { z } from "zod";
import { kinds } from "../kinds/index.js";
import { desiredOf, liveOf } from "../kinds/kind.js";
import { pairByIdentity } from "./pair.js";
import type { Plan } from "./plan-file.js";
import type { DesiredBase, DesiredState, LiveState } from "./state.js";

/**
 * `drgitops status`: one row per managed resource, its state derived from a plan (what the plan
 * would do, the drift and the gate it found) and the facts its kind reads from the observed live
 * state. Pure: status costs exactly the requests of the plan it is derived from.
 */

export const ResourceStateSchema = z.enum([
  "in sync",
  "changes pending",
  "drifted",
  "gate failed",
  "unmanaged",
]);
export type ResourceState = z.infer<typeof ResourceStateSchema>;

/** What a kind tells about one of its resources (its `status` role); every field may be unknown. */
export const StatusFactsSchema = z.object({
  /** Id of the live object, when there is one. */
  id: z.string().nullable(),
  /** The latest version and when it was made (`created`, ISO 8601, when the API gives it). */
  version: z.object({ label: z.string(), created: z.string().nullable() }).nullable(),
  /** Latest test of the latest version: `succeeded`, `failed`, `running`, `untested`, ...; null: not a tested kind. */
  test: z.string().nullable(),
  /** Commit the latest version was applied from (its trailer). */
  commit: z.string().nullable(),
  /** What the resource serves (a deployment: its model version); null for kinds that serve nothing. */
  serves: z.string().nullable(),
  /** Anything else the kind wants shown, by name (`deployments: 2`, `build: failed`). */
  details: z.record(z.string(), z.string()),
});
export type StatusFacts = z.infer<typeof StatusFactsSchema>;

export const NO_FACTS: StatusFacts = {
  id: null,
  version: null,
  test: null,
  commit: null,
  serves: null,
  details: {},
};

export const ResourceStatusSchema = StatusFactsSchema.extend({
  key: z.string(),
  /** The manifest `kind:`. */
  kind: z.string(),
  state: ResourceStateSchema,
  /** Why the state is not `in sync`: drift summaries, the gate, planned actions, refusals. */
  reasons: z.array(z.string()),
});
export type ResourceStatus = z.infer<typeof ResourceStatusSchema>;

/** What happens to an object without a manifest, unless its kind says otherwise. */
const PRUNED = "`apply --prune` deletes it unless it is protected or deployed";

/** The order rows are counted and explained in: what needs a person first. */
export const STATE_ORDER: readonly ResourceState[] = [
  "drifted",
  "gate failed",
  "changes pending",
  "unmanaged",
  "in sync",
];

/**
 * The state of a resource with a manifest, from the plan: drift first (someone changed it outside
 * drgitops), then a failing gate, then anything apply would do (actions or a refusal), else in sync.
 */
function stateOf(key: string, plan: Plan): { state: ResourceState; reasons: string[] } {
  const drift = plan.drift.filter((d) => d.key === key).map((d) => `drift: ${d.summary}`);
  const gate = plan.gate.filter((g) => g.key === key).map((g) => `gate: ${g.message}`);
  const actions = plan.actions.filter((a) => a.key === key).map((a) => `${a.type}: ${a.reasons.join("; ")}`);
  const refusals = plan.refusals.filter((r) => r.key === key).map((r) => `refused: ${r.reason}`);
  const reasons = [...drift, ...gate, ...actions, ...refusals];
  if (drift.length > 0) return { state: "drifted", reasons };
  if (gate.length > 0) return { state: "gate failed", reasons };
  if (actions.length > 0 || refusals.length > 0) return { state: "changes pending", reasons };
  return { state: "in sync", reasons };
}

/**
 * One row per manifest and per live object drgitops manages in the namespace without a manifest
 * (`unmanaged`), in kind display order then by key. The plan must come from the same desired and
 * live state, with no --target or --selector (else resources outside it would read as in sync).
 */
export function resourceStatuses(plan: Plan, desired: DesiredState, live: LiveState): ResourceStatus[] {
  const prefix = `${desired.namespace}/`;
  const rows: ResourceStatus[] = [];
  for (const kind of kinds) {
    const part: unknown = liveOf(kind, live);
    const pairs = pairByIdentity(
      desiredOf<DesiredBase>(kind, desired),
      kind.live.objects(part) as readonly unknown[],
      (d) => (kind.identity ? kind.identity(d) : d.key),
      (l) => kind.live.identities(l, desired.namespace),
    );
    for (const pair of pairs) {
      if (pair.desired === undefined && !(pair.live !== undefined && pair.key.startsWith(prefix))) continue;
      const facts = kind.status ? kind.status(pair, part) : NO_FACTS;
      const derived =
        pair.desired === undefined
          ? {
              state: "unmanaged" as const,
              reasons: [`no manifest declares this key; ${kind.unmanagedNote ?? PRUNED}`],
            }
          : stateOf(pair.key, plan);
      rows.push({ key: pair.key, kind: kind.name, ...facts, ...derived });
    }
  }
  const kindRank = new Map([...kinds].reverse().map((k, i) => [k.name, i]));
  return rows.sort(
    (a, b) =>
      (kindRank.get(a.kind) ?? 0) - (kindRank.get(b.kind) ?? 0) ||
      (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
}

/** Rows per state, in STATE_ORDER. */
export function countStates(rows: readonly ResourceStatus[]): Record<ResourceState, number> {
  const counts = Object.fromEntries(STATE_ORDER.map((s) => [s, 0])) as Record<ResourceState, number>;
  for (const r of rows) counts[r.state] += 1;
  return counts;
}
