import type { PendingId } from "./action.js";
import type { ApplyEvent, FailureLog, SkipReason, TaskOutcome } from "./events.js";
import { PlanReferenceError, type Outcome } from "./io.js";

/** Identity of one node of the task graph. */
export interface TaskInfo {
  id: string;
  key: string;
  type: string;
  dependsOn: readonly string[];
}

/** One node of the task graph: an action with the ids of the actions it needs first. */
export interface Task<A> extends TaskInfo {
  action: A;
}

/** What running a task needs besides the task: the signal, a progress sink and the ids produced so far. */
export interface RunArgs {
  signal: AbortSignal;
  progress: (message: string) => void;
  resolve: (ref: PendingId, field: string) => string;
  produced: () => ReadonlyMap<string, Readonly<Record<string, string>>>;
}

/** Runs one task; returns its outcome (results are data) and throws only for bugs and I/O failures. */
export type RunTask<A> = (task: Task<A>, args: RunArgs) => Promise<Outcome>;

/** Checked right before a task runs; a string means "stale, refuse" and explains why. */
export type Precheck<A> = (task: Task<A>, signal: AbortSignal) => Promise<string | undefined>;

export interface RunOptions<A> {
  tasks: readonly Task<A>[];
  run: RunTask<A>;
  parallelism: number;
  signal?: AbortSignal;
  /** Once aborted, no further task starts but the running ones finish (`watch --apply` stopping). */
  stopStarting?: AbortSignal;
  onEvent?: (event: ApplyEvent) => void;
  precheck?: Precheck<A>;
  /** Test seam for event times and durations. */
  now?: () => number;
}

/** What became of one task, recorded by the executor (as gitops-engine records a result per resource). */
export interface TaskResult {
  id: string;
  key: string;
  type: string;
  outcome: TaskOutcome;
  /** Why a skipped task did not run. */
  reason?: SkipReason;
  message?: string;
  /** Ids the task produced, for the tasks that depend on it (`{fromAction}` references). */
  produced?: Readonly<Record<string, string>>;
  /** Wall time of a task that ran. */
  durationMs?: number;
  /** The end of the failed work's log (a test, a dependency build), when the handler fetched it. */
  log?: FailureLog;
}

/** Validates the graph: known dependencies, no cycles. Throws on a bad plan. */
export function topologicalOrder<A>(tasks: readonly Task<A>[]): Task<A>[] {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  if (byId.size !== tasks.length) throw new Error("plan has duplicate action ids");
  for (const t of tasks)
    for (const d of t.dependsOn)
      if (!byId.has(d)) throw new Error(`action ${t.id} depends on unknown action ${d}`);
  const order: Task<A>[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (t: Task<A>, path: string[]): void => {
    const s = state.get(t.id);
    if (s === "done") return;
    if (s === "visiting") throw new Error(`dependency cycle: ${[...path, t.id].join(" -> ")}`);
    state.set(t.id, "visiting");
    for (const d of t.dependsOn) visit(byId.get(d)!, [...path, t.id]);
    state.set(t.id, "done");
    order.push(t);
  };
  for (const t of tasks) visit(t, []);
  return order;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs a task graph: each task starts once all its dependencies succeeded, at most `parallelism` at
 * once. A failed, gate-failed or stale task marks its transitive dependents skipped; independent tasks
 * go on. After an abort no new task starts and the pending ones are reported skipped.
 */
export async function runTasks<A>(options: RunOptions<A>): Promise<TaskResult[]> {
  const { onEvent = () => undefined, precheck } = options;
  const now = options.now ?? Date.now;
  const at = (): string => new Date(now()).toISOString();
  const signal = options.signal ?? new AbortController().signal;
  const parallelism = Math.max(1, Math.floor(options.parallelism));
  const ordered = topologicalOrder(options.tasks);
  const results = new Map<string, TaskResult>();
  const dependents = new Map<string, Task<A>[]>();
  for (const t of ordered) for (const d of t.dependsOn) dependents.set(d, [...(dependents.get(d) ?? []), t]);

  const produced = new Map<string, Readonly<Record<string, string>>>();
  const resolve = (ref: PendingId, field: string): string => {
    if ("id" in ref) return ref.id;
    const value = produced.get(ref.fromAction)?.[field];
    if (value === undefined)
      throw new PlanReferenceError(
        `action ${ref.fromAction} did not produce a ${field}; the plan is inconsistent`,
      );
    return value;
  };

  const emitBase = (t: Task<A>) => ({ id: t.id, key: t.key, action: t.type, at: at() });
  const record = (t: Task<A>, result: Omit<TaskResult, "id" | "key" | "type">): void => {
    results.set(t.id, { id: t.id, key: t.key, type: t.type, ...result });
  };
  const skipDependents = (t: Task<A>, reason: SkipReason, what: string): void => {
    for (const child of dependents.get(t.id) ?? []) skip(child, reason, `${t.type} ${t.key} ${what}`);
  };
  const skip = (t: Task<A>, reason: SkipReason, detail: string): void => {
    if (results.has(t.id)) return;
    record(t, { outcome: "skipped", reason, message: detail });
    onEvent({ type: "action-skipped", ...emitBase(t), reason, detail });
    if (reason !== "aborted")
      skipDependents(
        t,
        reason === "dependency-gated" ? reason : "dependency-failed",
        reason === "stale" ? "was stale" : "was skipped",
      );
  };

  const finish = (t: Task<A>, outcome: Outcome, durationMs: number): void => {
    switch (outcome.status) {
      case "succeeded":
        if (outcome.produced) produced.set(t.id, { ...produced.get(t.id), ...outcome.produced });
        record(t, {
          outcome: "succeeded",
          durationMs,
          ...(outcome.message ? { message: outcome.message } : {}),
          ...(outcome.produced ? { produced: outcome.produced } : {}),
        });
        onEvent({
          type: "action-succeeded",
          ...emitBase(t),
          durationMs,
          ...(outcome.message ? { message: outcome.message } : {}),
        });
        return;
      case "failed":
      case "gate-failed": {
        const gate = outcome.status === "gate-failed";
        const log = outcome.log === undefined ? {} : { log: outcome.log };
        record(t, { outcome: outcome.status, message: outcome.message, durationMs, ...log });
        onEvent({ type: "action-failed", ...emitBase(t), error: outcome.message, gate, durationMs, ...log });
        skipDependents(
          t,
          gate ? "dependency-gated" : "dependency-failed",
          gate ? "did not pass its gate" : "failed",
        );
        return;
      }
      case "skipped":
        skip(t, outcome.reason, outcome.message);
    }
  };

  const running = new Set<Promise<void>>();
  const started = new Set<string>();
  const ready = (t: Task<A>): boolean =>
    !started.has(t.id) &&
    !results.has(t.id) &&
    t.dependsOn.every((d) => results.get(d)?.outcome === "succeeded");

  const execute = async (t: Task<A>): Promise<void> => {
    const begin = now();
    try {
      const stale = precheck ? await precheck(t, signal) : undefined;
      if (stale !== undefined) return skip(t, "stale", stale);
      onEvent({ type: "action-started", ...emitBase(t) });
      const outcome = await options.run(t, {
        signal,
        progress: (message) =>
          onEvent({ type: "action-progress", ...emitBase(t), message, elapsedMs: now() - begin }),
        resolve,
        produced: () => produced,
      });
      finish(t, outcome, now() - begin);
    } catch (error) {
      finish(t, { status: "failed", message: errorMessage(error) }, now() - begin);
    }
  };

  for (;;) {
    if (!signal.aborted && options.stopStarting?.aborted !== true) {
      for (const t of ordered) {
        if (running.size >= parallelism) break;
        if (!ready(t)) continue;
        started.add(t.id);
        const p: Promise<void> = execute(t).finally(() => running.delete(p));
        running.add(p);
      }
    }
    if (running.size === 0) break;
    await Promise.race(running);
  }
  for (const t of ordered) if (!results.has(t.id)) skip(t, "aborted", "the run was interrupted");
  return ordered.map((t) => results.get(t.id)!);
}
