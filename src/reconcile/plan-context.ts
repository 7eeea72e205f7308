import { z } from "zod";
import type { BaseAction, DriftItem, GateItem, Refusal } from "./action.js";
import type { DesiredState, LiveState } from "./state.js";

/** What a plan run was asked for; recorded in the plan file. */
export const PlanOptionsSchema = z.object({
  prune: z.boolean(),
  maxDeletions: z.number().int().nonnegative(),
  targets: z.array(z.string()),
  selector: z.record(z.string(), z.string()),
  skipTests: z.boolean(),
  /**
   * Look for drift in what listings do not show, at one request per object (deployment settings);
   * absent: trust the trailers for it.
   */
  detectDrift: z.boolean().optional(),
  /** Prune even though no manifest was loaded (otherwise that plan would delete everything). */
  allowEmpty: z.boolean().default(false),
  /** Which key digested the sensitive values (`keyId`): an apply with another key refuses them. */
  secretKeyId: z.string().nullable().default(null),
});
export type PlanOptions = z.infer<typeof PlanOptionsSchema>;

/**
 * Live data a kind's planner lacked (file digests of a version, the latest test of a model). Observe
 * asks the kind's io to fetch them, then plans once more; `params` are strings so needs are plain data.
 */
export interface Need {
  kind: string;
  what: string;
  params: Readonly<Record<string, string>>;
}

/** A slot of resolved references one kind publishes for the kinds planned after it. */
export interface RefSlot<T> {
  readonly kind: string;
  /** Never read: carries the resolution's type. */
  readonly _type?: T;
}

export function refSlot<T>(kind: string): RefSlot<T> {
  return { kind };
}

/** One generic map of resolved references: (kind, key) -> how to reach it (an id, or an action). */
export class ResolvedRefs {
  private readonly values = new Map<string, unknown>();

  set<T>(slot: RefSlot<T>, key: string, value: T): void {
    this.values.set(`${slot.kind}\u0000${key}`, value);
  }

  get<T>(slot: RefSlot<T>, key: string): T | undefined {
    return this.values.get(`${slot.kind}\u0000${key}`) as T | undefined;
  }
}

export interface PlanOutput {
  actions: BaseAction[];
  /** Destructive actions, held apart so --max-deletions can refuse them all at once. */
  deletions: BaseAction[];
  drift: DriftItem[];
  unchanged: string[];
  gate: GateItem[];
  /** Keys that no test gates (no test section): no test runs for them and no gate applies. */
  untested: string[];
  refusals: Refusal[];
  needs: Need[];
}

/** Everything a kind's planner reads and writes; kinds planned earlier publish resolutions in `refs`. */
export interface PlanContext {
  readonly desired: DesiredState;
  readonly live: LiveState;
  readonly options: PlanOptions;
  /** Desired keys in scope (targets/selector and their dependencies); null = all. */
  readonly scope: ReadonlySet<string> | null;
  readonly refs: ResolvedRefs;
  /** Sensitive values are compared by their keyed digest under this key; never written anywhere. */
  readonly secretKey: string;
  readonly out: PlanOutput;
}

/** `<namespace>/<name>`: the key of a manifest reference. */
export function keyOf(namespace: string, name: string): string {
  return `${namespace}/${name}`;
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
