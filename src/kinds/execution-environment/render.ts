import type { ActionText } from "../../reconcile/action.js";

export const environmentRender: { actions: Record<string, ActionText>; noun: string } = {
  noun: "environment",
  actions: {
    createEnvironment: {
      effect: "create",
      verb: () => "create environment",
      doing: "creating the environment",
    },
    updateEnvironment: {
      effect: "change",
      verb: () => "update environment",
      doing: "updating the environment",
    },
    buildEnvironmentVersion: {
      effect: "change",
      verb: () => "build environment version",
      doing: "building the environment",
    },
  },
};
