import type { ManifestReference } from "../kind.js";
import { defineKind } from "../kind.js";
import { CUSTOM_MODEL } from "../custom-model/schema.js";
import { REGISTERED_MODEL } from "../registered-model/schema.js";
import { deploymentActionSchemas, type DeploymentAction } from "./actions.js";
import { desiredDeployment, type DesiredDeployment } from "./desired.js";
import { emptyLiveDeployments, type LiveDeployment, type LiveDeployments } from "./live.js";
import { deploymentDependencies, planDeployment } from "./plan.js";
import { deploymentRender } from "./render.js";
import { deploymentRules } from "./rules.js";
import { deploymentStatus } from "./status.js";
import {
  DEPLOYMENT,
  DeploymentManifestSchema,
  PartialDeploymentManifestSchema,
  type DeploymentManifest,
  type PartialDeploymentManifest,
} from "./schema.js";

/** What a deployment serves, when a manifest of this project names it. */
function references(m: PartialDeploymentManifest): ManifestReference[] {
  const refs: ManifestReference[] = [];
  const { registeredModel, model } = m.spec;
  if (registeredModel && "ref" in registeredModel)
    refs.push({
      kind: REGISTERED_MODEL,
      name: registeredModel.ref,
      path: ["spec", "registeredModel", "ref"],
    });
  if (model && "ref" in model)
    refs.push({ kind: CUSTOM_MODEL, name: model.ref, path: ["spec", "model", "ref"] });
  return refs;
}

/** A deployment serving the newest registered version of a registered model (or a model's latest gated version). */
export const deploymentKind = defineKind<
  DeploymentManifest,
  PartialDeploymentManifest,
  DesiredDeployment,
  LiveDeployments,
  LiveDeployment,
  DeploymentAction
>({
  name: DEPLOYMENT,
  schema: DeploymentManifestSchema,
  partialSchema: PartialDeploymentManifestSchema,
  takesDefaults: false,
  localPaths: () => [],
  references,
  rules: deploymentRules,
  desired: desiredDeployment,
  live: {
    empty: emptyLiveDeployments,
    objects: (state) => state.deployments,
    identities: (d, namespace) => (d.key.startsWith(`${namespace}/`) ? [d.key] : []),
  },
  dependencies: deploymentDependencies,
  plan: planDeployment,
  actions: deploymentActionSchemas,
  render: deploymentRender,
  status: deploymentStatus,
  unmanagedNote: "`apply --prune` deletes it unless it is protected",
  io: async () => (await import("./apply.js")).deploymentIo,
});
