import type { DataRobotClient } from "../client/index.js";
import { DrgitopsError } from "../errors.js";
import type { Provenance } from "../git/index.js";
import type { BaseAction, PendingId } from "./action.js";
import type { Need } from "./plan-context.js";

/**
 * The I/O half of a kind (its apply.ts): listing its live objects, fetching what a plan needs, and
 * running its actions. Loaded lazily (`kind.io()`), so `validate` never loads the HTTP client.
 */
export interface KindIo<LS> {
  /** One listing of the kind's live objects: O(pages) requests, never one per object. */
  observe(args: ObserveArgs): Promise<LS>;
  /** Fetches what the plan's `needs` name (file digests, latest tests) into the kind's live part. */
  fulfil?(needs: readonly Need[], live: LS, args: FulfilArgs): Promise<Fulfilled<LS>>;
  /** One handler per action type of the kind. */
  readonly handlers: Readonly<Record<string, Handler>>;
  /** A namespace-wide lock, held while an apply plans and runs, so two applies never interleave. */
  lock?: (args: LockArgs) => Promise<NamespaceLock>;
  /** The live object an action's `expected` describes, as it is now (for stale checks). */
  current?: (expected: { id: string }, args: ObserveArgs) => Promise<Observed>;
}

export interface ObserveArgs {
  client: DataRobotClient;
  namespace: string;
  signal?: AbortSignal | undefined;
}

export interface LockArgs extends ObserveArgs {
  /** How long to wait for another run's lock. */
  waitMs: number;
  onWait?: ((holder: string) => void) | undefined;
}

export interface NamespaceLock {
  release(): Promise<void>;
}

export interface FulfilArgs extends ObserveArgs {
  projectRoot: string;
  parallelism: number;
}

export interface Fulfilled<LS> {
  live: LS;
  /** Version id -> path -> text of small text files, for unified diffs in the human plan. */
  texts?: Record<string, Record<string, string>>;
  /** What was fetched and how (cache hits, downloads), for the bench and debug output. */
  counts?: Record<string, number>;
}

/** A live object as it is now, compared with an action's `expected`. */
export interface Observed {
  latestVersionId: string | null;
  updated: string | null;
  gone: boolean;
}

/** Everything handlers share during one apply run. */
export interface ApplyContext {
  client: DataRobotClient;
  /** Commit the manifests come from; undefined outside git (no Drgitops-Commit, no gitModelVersion). */
  provenance: Provenance | undefined;
  /** Paths in a plan are relative to this folder. */
  projectRoot: string;
  /** For sensitive runtime values, read at apply time and checked against the plan's hash. */
  env: NodeJS.ProcessEnv;
  /** The key sensitive values were digested with (the plan's `secretKeyId` names it). */
  secretKey: string;
  /** Upper bound of each wait for a build, test or upload. */
  waitTimeoutMs: number;
}

/** Why an action did not run. `stale`: its object moved since the plan was made. */
export type SkipReason = "dependency-failed" | "dependency-gated" | "stale" | "aborted";

/**
 * What a handler reports (results are data): the executor records it per resource. `gate-failed`
 * is a test gate that did not pass: the run exits 7 and nothing that depends on it runs.
 */
export type Outcome =
  | { status: "succeeded"; message?: string; produced?: Readonly<Record<string, string>> }
  | { status: "gate-failed"; message: string }
  | { status: "failed"; message: string }
  | { status: "skipped"; reason: "stale"; message: string };

export interface HandlerArgs<A extends BaseAction = BaseAction> {
  action: A;
  context: ApplyContext;
  signal: AbortSignal;
  progress: (message: string) => void;
  /** `{id}` as is, `{fromAction}` as the id that action produced under `field`. */
  resolve: (ref: PendingId, field: string) => string;
  /** Every id produced so far, by action id (for fingerprints completed at apply time). */
  produced: () => ReadonlyMap<string, Readonly<Record<string, string>>>;
}

/** Runs one action; throws only for bugs and I/O failures (recorded as failed). */
export type Handler = (args: HandlerArgs) => Promise<Outcome>;

/** A typed handler for one action type, wrapped for the executor (which dispatches on the type). */
export function handlerFor<A extends BaseAction>(
  type: A["type"],
  handler: (args: HandlerArgs<A>) => Promise<Outcome>,
): Handler {
  return (args) => {
    if (args.action.type !== type)
      return Promise.reject(new Error(`handler for ${type} was given a ${args.action.type} action`));
    return handler(args as HandlerArgs<A>);
  };
}

/** A plan whose references do not line up: a bug or a hand-edited plan. */
export class PlanReferenceError extends DrgitopsError {
  constructor(message: string) {
    super("plan-inconsistent", message);
  }
}
