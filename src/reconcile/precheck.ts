import { kindOfAction } from "../kinds/index.js";
import type { Expected } from "./action.js";
import type { Action } from "../kinds/index.js";
import type { ApplyContext, Observed } from "./io.js";
import type { Precheck } from "./executor.js";

/** `expected` vs now, in words for the user; undefined when nothing moved. */
function moved(expected: Expected, now: Observed): string | undefined {
  if (now.gone) return `${expected.id} no longer exists`;
  if (now.latestVersionId !== expected.latestVersionId)
    return `latest version of ${expected.id} is ${now.latestVersionId ?? "none"}, the plan expected ${expected.latestVersionId ?? "none"}`;
  if (expected.updated !== null && now.updated !== expected.updated)
    return `${expected.id} was changed at ${now.updated ?? "?"} after the plan was made`;
  return undefined;
}

/**
 * Before an action runs, its object must still be as the plan saw it. Each
 * object is fetched once per run, before any action of this run touches it (the first check of an
 * object happens before its first action), so our own changes never look like someone else's. The
 * action's kind says how to read its object now (`io.current`).
 */
export function stalePrecheck(context: ApplyContext, namespace: string): Precheck<Action> {
  const seen = new Map<string, Promise<Observed>>();
  return async (task, signal) => {
    const expected = task.action.expected;
    if (!expected) return undefined;
    const kind = kindOfAction(task.type);
    const io = kind ? await kind.io() : undefined;
    const current = io?.current;
    if (!kind || !current) return undefined;
    const id = `${kind.name}\u0000${expected.id}`;
    let observed = seen.get(id);
    if (!observed) {
      observed = current({ id: expected.id }, { client: context.client, namespace, signal });
      seen.set(id, observed);
    }
    return moved(expected, await observed);
  };
}
