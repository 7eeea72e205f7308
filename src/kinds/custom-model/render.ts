import type { ActionText, BaseAction } from "../../reconcile/action.js";

const fixed = (verb: string) => () => verb;

export const customModelRender: { actions: Record<string, ActionText>; noun: string } = {
  noun: "model",
  actions: {
    createModel: { effect: "create", verb: fixed("create model") },
    updateModel: { effect: "change", verb: fixed("update model") },
    createVersion: {
      effect: "change",
      verb: (a: BaseAction) =>
        `create version (${(a as BaseAction & { mode?: string }).mode === "clean" ? "clean" : "from previous"})`,
      noun: "new version",
    },
    annotateVersion: { effect: "change", verb: fixed("annotate version") },
    buildDependencies: { effect: "change", verb: fixed("build dependencies") },
    runTest: { effect: "change", verb: fixed("run test"), noun: "test run" },
    deleteModel: { effect: "delete", verb: fixed("delete model") },
    featureImpact: { effect: "change", verb: fixed("compute feature impact") },
  },
};
