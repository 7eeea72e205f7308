import type { Action, ActionOf, ActionType } from "../plan-file.js";
import type { ApplyContext } from "./context.js";
import type { Handler, HandlerArgs } from "./executor.js";

/** A handler for one action type, seeing its action narrowed to that type. */
export type HandlerFor<T extends ActionType> = (
  args: HandlerArgs<ActionOf<T>, ApplyContext>,
) => Promise<string | void>;

function isOfType<T extends ActionType>(action: Action, type: T): action is ActionOf<T> {
  return action.type === type;
}

/** Wraps a typed handler for the executor, which dispatches on `task.type` = `action.type`. */
export function on<T extends ActionType>(type: T, handler: HandlerFor<T>): Handler<Action, ApplyContext> {
  return (args) => {
    const { action } = args;
    if (!isOfType(action, type))
      return Promise.reject(new Error(`handler for ${type} was given a ${action.type} action`));
    return handler({ ...args, action });
  };
}
