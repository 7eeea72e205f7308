import { ActionSchema } from "../../src/kinds/index.js";
import type { Plan } from "../../src/reconcile/plan-file.js";

/** A plan around hand-made actions, validated by the plan file schema like a saved plan would be. */
export function planOf(actions: unknown[], unchanged: string[] = []): Plan {
  return {
    formatVersion: 1,
    createdAt: "2026-01-01T00:00:00.000Z",
    namespace: "acme/models",
    options: {
      prune: false,
      maxDeletions: 5,
      targets: [],
      selector: {},
      skipTests: false,
      allowEmpty: false,
      secretKeyId: null,
    },
    actions: actions.map((a) => ActionSchema.parse(a)),
    drift: [],
    unchanged,
    gate: [],
    refusals: [],
    summary: { actions: {}, total: actions.length, drift: 0, unchanged: 0, gate: 0, refusals: 0 },
  };
}
