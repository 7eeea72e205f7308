import type { ActionOutcome, ApplyEvent, SkipReason } from "./events.js";

/**
 * Thrown by a handler that finds its input no longer matches what the plan saw (a file or a
 * sensitive value changed since): reported as stale, like a failed precheck, not as a failure.
 */
export class StaleActionError extends Error {}

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

/** What a handler gets besides its action: the shared run context, the signal and a progress sink. */
export interface HandlerArgs<A, C> {
  action: A;
  task: TaskInfo;
  context: C;
  signal: AbortSignal;
  progress: (message: string) => void;
}

/** Executes one action type; resolves with an optional one-line result, throws on failure. */
export type Handler<A, C> = (args: HandlerArgs<A, C>) => Promise<string | void>;

/** Checked right before an action runs; a string means "stale, refuse" and explains why. */
export type Precheck<A, C> = (task: Task<A>, context: C, signal: AbortSignal) => Promise<string | undefined>;

export interface RunOptions<A, C> {
  tasks: readonly Task<A>[];
  handlers: Readonly<Record<string, Handler<A, C>>>;
  context: C;
  parallelism: number;
  signal?: AbortSignal;
  onEvent?: (event: ApplyEvent) => void;
  precheck?: Precheck<A, C>;
}

export interface TaskResult {
  id: string;
  key: string;
  type: string;
  outcome: ActionOutcome;
  /** Why a skipped or stale action did not run. */
  reason?: SkipReason;
  message?: string;
}

/** Validates the graph: known handler per type, known dependencies, no cycles. Throws on a bad plan. */
export function topologicalOrder<A>(
  tasks: readonly Task<A>[],
  handlers: Readonly<Record<string, unknown>>,
): Task<A>[] {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  if (byId.size !== tasks.length) throw new Error("plan has duplicate action ids");
  for (const t of tasks) {
    if (!Object.hasOwn(handlers, t.type)) throw new Error(`no handler for action type ${t.type} (${t.id})`);
    for (const d of t.dependsOn)
      if (!byId.has(d)) throw new Error(`action ${t.id} depends on unknown action ${d}`);
  }
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
 * Runs a task graph: each action starts once all its dependencies succeeded, at most `parallelism`
 * at once. A failed or stale action marks its transitive dependents skipped; independent actions go
 * on. After an abort no new action starts and the pending ones are reported skipped.
 */
export async function runTasks<A, C>(options: RunOptions<A, C>): Promise<TaskResult[]> {
  const { handlers, context, onEvent = () => undefined, precheck } = options;
  const signal = options.signal ?? new AbortController().signal;
  const parallelism = Math.max(1, Math.floor(options.parallelism));
  const ordered = topologicalOrder(options.tasks, handlers);
  const results = new Map<string, TaskResult>();
  const dependents = new Map<string, Task<A>[]>();
  for (const t of ordered) for (const d of t.dependsOn) dependents.set(d, [...(dependents.get(d) ?? []), t]);

  const emitBase = (t: Task<A>) => ({ id: t.id, key: t.key, action: t.type });
  const finish = (t: Task<A>, outcome: ActionOutcome, message?: string, reason?: SkipReason): void => {
    results.set(t.id, {
      id: t.id,
      key: t.key,
      type: t.type,
      outcome,
      ...(reason ? { reason } : {}),
      ...(message ? { message } : {}),
    });
  };
  const skip = (t: Task<A>, reason: SkipReason, detail: string): void => {
    if (results.has(t.id)) return;
    finish(t, reason === "stale" ? "stale" : "skipped", detail, reason);
    onEvent({ type: "action-skipped", ...emitBase(t), reason, detail });
    if (reason !== "aborted")
      for (const child of dependents.get(t.id) ?? [])
        skip(
          child,
          "dependency-failed",
          `${t.type} ${t.key} was ${reason === "stale" ? "stale" : "skipped"}`,
        );
  };

  const running = new Set<Promise<void>>();
  const started = new Set<string>();
  const ready = (t: Task<A>): boolean =>
    !started.has(t.id) &&
    !results.has(t.id) &&
    t.dependsOn.every((d) => results.get(d)?.outcome === "succeeded");

  const fail = (t: Task<A>, error: unknown): void => {
    const text = errorMessage(error);
    finish(t, "failed", text);
    onEvent({ type: "action-failed", ...emitBase(t), error: text });
    for (const child of dependents.get(t.id) ?? [])
      skip(child, "dependency-failed", `${t.type} ${t.key} failed`);
  };

  const execute = async (t: Task<A>): Promise<void> => {
    let stale: string | undefined;
    try {
      stale = precheck ? await precheck(t, context, signal) : undefined;
    } catch (error) {
      fail(t, error);
      return;
    }
    if (stale !== undefined) {
      skip(t, "stale", stale);
      return;
    }
    onEvent({ type: "action-started", ...emitBase(t) });
    try {
      const message = await handlers[t.type]!({
        action: t.action,
        task: t,
        context,
        signal,
        progress: (m) => onEvent({ type: "action-progress", ...emitBase(t), message: m }),
      });
      finish(t, "succeeded", message ?? undefined);
      onEvent({ type: "action-succeeded", ...emitBase(t), ...(message ? { message } : {}) });
    } catch (error) {
      if (error instanceof StaleActionError) skip(t, "stale", error.message);
      else fail(t, error);
    }
  };

  for (;;) {
    if (!signal.aborted) {
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
