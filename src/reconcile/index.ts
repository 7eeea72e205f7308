/** The reconciler: desired and live state in, a serialisable plan out (pure), and the apply engine. */
export * from "./state.js";
export * from "./action.js";
export * from "./plan-context.js";
export { desiredStateFromProject } from "./desired.js";
export * from "./trailer.js";
export * from "./plan-file.js";
export { buildPlan, scopeOf, DEFAULT_MAX_DELETIONS, type BuildPlanOptions, type PlanResult } from "./plan.js";
