import type { z } from "zod";
import type { ActionText, BaseAction, PlanSection } from "../reconcile/action.js";
import type { KindIo } from "../reconcile/io.js";
import type { Pair } from "../reconcile/pair.js";
import type { PlanContext } from "../reconcile/plan-context.js";
import type { StatusFacts } from "../reconcile/status.js";
import type { DesiredBase, DesiredInputs, DesiredState, LiveState } from "../reconcile/state.js";
import type { FieldPath, Issue } from "../spec/issue.js";
import type { LocalPathSpec } from "../spec/local-paths.js";
import type { LoadedResource } from "../spec/project.js";
import type { KindOperations } from "./operations.js";
import type { KindRule } from "../spec/rules/context.js";

/**
 * One resource kind (DESIGN.md §2): everything particular to it, in the fixed roles of its folder.
 * Shared code (loader, observe, buildPlan, plan file, executor, renderers) loops over the registry
 * (`src/kinds/index.ts`) and never names a kind. Only `apply.ts` does I/O; it is loaded lazily
 * through `io`, so validating manifests never loads the HTTP client.
 *
 * Type parameters: M the manifest, PM its salvaged (every spec field optional) form, D a desired
 * object, LS the kind's part of the live state, L one live object of it, A the kind's actions.
 */
export interface Kind<M, PM, D extends DesiredBase, LS, L, A extends BaseAction> {
  /** The manifest `kind:` and the key of this kind's slot in desired and live state. */
  readonly name: string;

  // schema.ts
  readonly schema: z.ZodType<M>;
  /** Every spec field optional: what is left of an invalid document, so rules judge the valid rest. */
  readonly partialSchema: z.ZodType<PM>;
  /** drgitops.yaml `defaults` are merged under the spec of this kind's manifests. */
  readonly takesDefaults: boolean;
  /** How defaults merge under a spec, when a deep merge is not enough (alternative fields). */
  mergeDefaults?(defaults: Record<string, unknown>, spec: Record<string, unknown>): Record<string, unknown>;
  /** Local files and folders the manifest names: resolved, listed and hashed by the loader. */
  localPaths(manifest: PM, invalid: (path: FieldPath) => boolean): LocalPathSpec[];
  /** `{ref: name}` references to other manifests: checked offline, and kept in scope together. */
  references(manifest: PM): ManifestReference[];

  // rules.ts
  readonly rules: readonly KindRule<PM>[];

  // desired.ts
  desired(loaded: LoadedResource<M>, inputs: DesiredInputs): { value?: D; issues: Issue[] };
  /** Secret values the manifest makes the run read (sensitive `{env}` values): redacted everywhere. */
  secrets?(manifest: M, env: Readonly<Record<string, string | undefined>>): string[];

  // live.ts
  readonly live: {
    empty(namespace: string): LS;
    /** The live objects pairing looks at. */
    objects(state: LS): readonly L[];
    /** Identities a live object pairs by; none: not managed by drgitops (never paired, never pruned). */
    identities(object: L, namespace: string): readonly string[];
  };

  // plan.ts
  /** The pairing identity of a desired object (default: its key). */
  identity?(desired: D): string;
  /** Keys of desired objects (any kind) this one needs, kept in scope with it. */
  dependencies(desired: D, namespace: string): string[];
  plan(pair: Pair<D, L>, ctx: PlanContext): void;
  /** zod schemas of this kind's actions (each an object with a literal `type`): the plan file's union. */
  readonly actions: readonly z.ZodType<A>[];

  // render.ts
  readonly render: {
    readonly actions: Readonly<Record<string, ActionText>>;
    /** How counts name one of them ("model": "4 models"; `models` in JSON summaries). */
    readonly noun: string;
    /** A section of its own in the human and markdown plans, shown before the resources. */
    readonly section?: (actions: readonly BaseAction[]) => PlanSection | null;
  };

  // status.ts
  /** What `drgitops status` shows of a resource besides its state (pure: reads what was observed). */
  status?(pair: Pair<D, L>, live: LS): StatusFacts;
  /** Why one of its objects without a manifest stays or goes (status' `unmanaged` reason); default: prune deletes it. */
  readonly unmanagedNote?: string;

  // apply.ts, loaded when a command talks to DataRobot
  io(): Promise<KindIo<LS>>;

  // apply-operations.ts, loaded by `logs` and `cancel`
  operations?(): Promise<KindOperations>;
}

/** A reference from one manifest to another, by name. */
export interface ManifestReference {
  kind: string;
  name: string;
  /** Where the name is written, for the dangling-ref issue. */
  path: FieldPath;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the registry holds kinds of every shape
export type AnyKind = Kind<any, any, DesiredBase, any, any, any>;

/** A kind's desired objects in a desired state (empty when it has none). */
export function desiredOf<D extends DesiredBase>(kind: { name: string }, state: DesiredState): readonly D[] {
  return (state.resources[kind.name] ?? []) as readonly D[];
}

/** A kind's part of a live state; its empty value when nothing was observed for it. */
export function liveOf<LS>(
  kind: { name: string; live: { empty(namespace: string): LS } },
  state: LiveState,
): LS {
  return (state.resources[kind.name] as LS | undefined) ?? kind.live.empty(state.namespace);
}

/** Typed identity helper: `defineKind({...})` checks a kind against the contract. */
export function defineKind<M, PM, D extends DesiredBase, LS, L, A extends BaseAction>(
  kind: Kind<M, PM, D, LS, L, A>,
): Kind<M, PM, D, LS, L, A> {
  return kind;
}
