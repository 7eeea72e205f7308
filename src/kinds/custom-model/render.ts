import type { ActionText, BaseAction } from "../../reconcile/action.js";

const fixed = (verb: string) => () => verb;

export const customModelRender: { actions: Record<string, ActionText>; noun: string } = {
  noun: "model",
  actions: {
    createModel: { effect: "create", verb: fixed("create model"), doing: "creating the model" },
    updateModel: { effect: "change", verb: fixed("update model"), doing: "updating the model" },
    createVersion: {
      effect: "change",
      verb: (a: BaseAction) =>
        `create version (${(a as BaseAction & { mode?: string }).mode === "clean" ? "clean" : "from previous"})`,
      noun: "new version",
      doing: "creating a version",
    },
    annotateVersion: { effect: "change", verb: fixed("annotate version"), doing: "annotating the version" },
    buildDependencies: {
      effect: "change",
      verb: fixed("build dependencies"),
      doing: "building dependencies",
    },
    runTest: { effect: "change", verb: fixed("run test"), noun: "test run", doing: "testing" },
    deleteModel: { effect: "delete", verb: fixed("delete model"), doing: "deleting the model" },
    featureImpact: {
      effect: "change",
      verb: fixed("compute feature impact"),
      doing: "computing feature impact",
    },
  },
};
