import { kindOfAction, type Action } from "../kinds/index.js";
import type { ApplyEvent } from "./events.js";
import { runTasks, type RunTask, type Task, type TaskResult } from "./executor.js";
import type { ApplyContext } from "./io.js";
import type { Plan } from "./plan-file.js";
import { stalePrecheck } from "./precheck.js";

export interface ApplyRunOptions {
  context: ApplyContext;
  parallelism: number;
  signal?: AbortSignal;
  /** Once aborted, no further action starts; the running ones finish with `signal`. */
  stopStarting?: AbortSignal;
  onEvent?: (event: ApplyEvent) => void;
  /** The plan was made earlier (`apply --plan`); for messages only: every action is re-checked anyway. */
  savedPlan: boolean;
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

/** Dispatches each task to its kind's handler for the action type; the engine never names a kind. */
function dispatch(context: ApplyContext): RunTask<Action> {
  return async (task, args) => {
    const kind = kindOfAction(task.type);
    const handler = kind ? (await kind.io()).handlers[task.type] : undefined;
    if (!handler) throw new Error(`no handler for action type ${task.type} (${task.id})`);
    return handler({ action: task.action, context, ...args });
  };
}

/** Runs a plan's actions (results per action; the views summarise them per resource). */
export async function applyPlan(plan: Plan, options: ApplyRunOptions): Promise<TaskResult[]> {
  const tasks = tasksOf(plan);
  // A plan naming an action no kind handles is refused before anything runs.
  for (const t of tasks) {
    const kind = kindOfAction(t.type);
    if (!kind || !(await kind.io()).handlers[t.type])
      throw new Error(`no handler for action type ${t.type} (${t.id})`);
  }
  return await runTasks({
    tasks,
    run: dispatch(options.context),
    parallelism: options.parallelism,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.stopStarting ? { stopStarting: options.stopStarting } : {}),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    // Right before each write, its object must still be as planned: a UI edit (or another writer) since
    // the plan refuses exactly that action as stale, for a saved plan and a fresh one alike.
    precheck: stalePrecheck(options.context, plan.namespace),
  });
}
