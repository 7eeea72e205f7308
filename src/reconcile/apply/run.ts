import type { Plan } from "../plan-file.js";
import type { Action } from "../plan-file.js";
import type { ApplyContext } from "./context.js";
import type { ApplyEvent } from "./events.js";
import { runTasks, type Task, type TaskResult } from "./executor.js";
import { applyHandlers } from "./handlers/index.js";
import { summariseByResource, totals, type ResourceSummary, type RunTotals } from "./outcome.js";
import { savedPlanPrecheck } from "./precheck.js";

export interface ApplyRunOptions {
  context: ApplyContext;
  parallelism: number;
  signal?: AbortSignal;
  onEvent?: (event: ApplyEvent) => void;
  /** The plan was made earlier (`apply --plan`): check each action's expected live state first. */
  savedPlan: boolean;
}

export interface ApplyRunResult {
  results: TaskResult[];
  totals: RunTotals;
  resources: ResourceSummary[];
}

/** The plan's actions as executor tasks; action ids and dependencies are the plan's own. */
export function tasksOf(plan: Plan): Task<Action>[] {
  return plan.actions.map((action) => ({
    id: action.id,
    key: action.key,
    type: action.type,
    dependsOn: action.dependsOn,
    action,
  }));
}

/** Runs a plan's actions and summarises them per resource (unchanged ones included). */
export async function applyPlan(plan: Plan, options: ApplyRunOptions): Promise<ApplyRunResult> {
  const results = await runTasks({
    tasks: tasksOf(plan),
    handlers: applyHandlers,
    context: options.context,
    parallelism: options.parallelism,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    ...(options.savedPlan ? { precheck: savedPlanPrecheck() } : {}),
  });
  const keys = [...plan.unchanged, ...plan.actions.map((a) => a.key)];
  return { results, totals: totals(results), resources: summariseByResource(results, keys) };
}
