import type { ActionText } from "../../reconcile/action.js";

export const environmentRender: { actions: Record<string, ActionText>; noun: string } = {
  noun: "environment",
  actions: {
    createEnvironment: { effect: "create", verb: () => "create environment" },
    updateEnvironment: { effect: "change", verb: () => "update environment" },
    buildEnvironmentVersion: { effect: "change", verb: () => "build environment version" },
  },
};
