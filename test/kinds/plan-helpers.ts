import { expect } from "vitest";
import type { ActionOf } from "../../src/kinds/index.js";
import type { BuildPlanOptions } from "../../src/reconcile/plan.js";
import type { Plan } from "../../src/reconcile/plan-file.js";
import type { DesiredState } from "../../src/reconcile/state.js";
import { freshLive, NS, planOf } from "../reconcile/builders.js";
import { newServer, observe, simulate, type Server, type SimulateOptions } from "../reconcile/simulate.js";

/** What the planner tests of the kinds share: plan against a simulated server, read the plan. */

export const AT = "2026-01-01T00:00:00.000Z";

/** A plan of `state` against what observe would list on `server` (with what the plan asks for). */
export function planFor(server: Server, state: DesiredState, options: BuildPlanOptions = {}): Plan {
  return planOf(state, observe(server, state, options), { createdAt: AT, ...options });
}

/** Plans and applies once; returns the server. */
export function applied(
  state: DesiredState,
  options: SimulateOptions = {},
  server = newServer(freshLive()),
): Server {
  simulate(server, planFor(server, state), options);
  return server;
}

/** `type name` of each action, the namespace left out. */
export function types(plan: Plan): string[] {
  return plan.actions.map((a) => `${a.type} ${a.key.slice(NS.length + 1)}`);
}

/** The one action of a type. */
export function only<T extends Plan["actions"][number]["type"]>(plan: Plan, type: T): ActionOf<T> {
  const found = plan.actions.filter((a): a is ActionOf<T> => a.type === type);
  expect(found).toHaveLength(1);
  return found[0]!;
}
