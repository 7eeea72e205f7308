import type { ActionText, BaseAction } from "../../reconcile/action.js";
import type { RegisterVersionAction } from "./plan.js";

export const registeredModelRender: { actions: Record<string, ActionText>; noun: string } = {
  noun: "registered model",
  actions: {
    registerVersion: {
      effect: "change",
      verb: (a: BaseAction) => {
        const r = a as RegisterVersionAction;
        const what = `register version ${r.registeredVersion}${"name" in r.registeredModel ? " (new registered model)" : ""}`;
        return r.ensureFeatureImpact ? `${what}, after feature impact` : what;
      },
      noun: "registered version",
      doing: "registering the version",
    },
    updateRegisteredModel: {
      effect: "change",
      verb: () => "update registered model",
      doing: "updating the registered model",
    },
  },
};
