import type { ActionText, BaseAction, PlanSection } from "../../reconcile/action.js";
import type { CreateDeploymentAction, ReplaceDeploymentModelAction, Serves } from "./actions.js";
import { compareCodePoints } from "../../spec/digest.js";

/** The name part of a key (`<namespace>/<name>`): the section is read per model, keys would crowd it. */
function short(key: string): string {
  return key.slice(key.lastIndexOf("/") + 1);
}

function versionText(s: Serves): string {
  const version = s.newVersion
    ? "new version"
    : s.modelVersion
      ? `version ${s.modelVersion}`
      : "latest version";
  const model = s.modelKey === null ? "" : `${short(s.modelKey)} `;
  const gate =
    s.gate === "pending"
      ? " (if its test passes)"
      : s.gate === "untested"
        ? " (untested)"
        : s.gate === "unmanaged"
          ? " (not managed here)"
          : "";
  return `${model}${version}${gate}`;
}

function registeredText(s: Serves): string {
  if (s.registeredModelKey === null) return "(no registered model)";
  const name = s.registeredModelKey.includes("/") ? short(s.registeredModelKey) : s.registeredModelKey;
  return `${name} v${s.registeredVersion ?? "?"}${s.newRegisteredVersion ? " (new)" : ""}`;
}

type Rollout = CreateDeploymentAction | ReplaceDeploymentModelAction;

function rolloutLine(a: Rollout): string {
  const what =
    a.type === "createDeployment"
      ? "new deployment"
      : `replaces ${a.current.registeredVersion !== null ? `v${a.current.registeredVersion}` : `version ${a.current.modelVersion ?? "?"}`}`;
  const importance = a.type === "createDeployment" ? (a.importance ?? "LOW") : a.importance;
  const held = importance === "LOW" ? "" : `; importance ${importance}: may wait for approval`;
  return `${versionText(a.serves)} -> ${registeredText(a.serves)} -> ${short(a.key)} (${what}${held})`;
}

/**
 * "Goes live": for each deployment this plan creates or points at another model, the chain from
 * model version to registered version to deployment, grouped by model, so a reviewer sees what
 * will serve predictions after apply and what it waits for.
 */
function goesLive(actions: readonly BaseAction[]): PlanSection | null {
  const rollouts = actions.filter(
    (a): a is Rollout => a.type === "createDeployment" || a.type === "replaceDeploymentModel",
  );
  if (rollouts.length === 0) return null;
  const byModel = (a: Rollout): string => a.serves.modelKey ?? a.serves.registeredModelKey ?? "";
  const sorted = [...rollouts].sort(
    (a, b) => compareCodePoints(byModel(a), byModel(b)) || compareCodePoints(a.key, b.key),
  );
  return {
    title: "Goes live (model version -> registered version -> deployment)",
    lines: sorted.map(rolloutLine),
  };
}

export const deploymentRender: {
  actions: Record<string, ActionText>;
  noun: string;
  section: (actions: readonly BaseAction[]) => PlanSection | null;
} = {
  noun: "deployment",
  actions: {
    createDeployment: {
      effect: "create",
      verb: () => "create deployment",
      doing: "launching the deployment",
    },
    replaceDeploymentModel: {
      effect: "change",
      verb: () => "replace model (validated first)",
      noun: "model replacement",
      doing: "validating and replacing the model",
    },
    updateDeployment: { effect: "change", verb: () => "update deployment", doing: "updating the deployment" },
    deleteDeployment: { effect: "delete", verb: () => "delete deployment", doing: "deleting the deployment" },
  },
  section: goesLive,
};
