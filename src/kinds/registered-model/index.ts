import { defineKind } from "../kind.js";
import { CUSTOM_MODEL } from "../custom-model/schema.js";
import { desiredRegisteredModel, type DesiredRegisteredModel } from "./desired.js";
import {
  emptyLiveRegisteredModels,
  registeredModelIdentities,
  type LiveRegisteredModel,
  type LiveRegisteredModels,
} from "./live.js";
import {
  planRegisteredModel,
  RegisterVersionActionSchema,
  UpdateRegisteredModelActionSchema,
  type RegisteredModelAction,
} from "./plan.js";
import { registeredModelRender } from "./render.js";
import { registeredModelRules } from "./rules.js";
import { registeredModelStatus } from "./status.js";
import {
  PartialRegisteredModelManifestSchema,
  REGISTERED_MODEL,
  RegisteredModelManifestSchema,
  type PartialRegisteredModelManifest,
  type RegisteredModelManifest,
} from "./schema.js";

/** A registered model: each gated version of its CustomModel registered once, as its next version. */
export const registeredModelKind = defineKind<
  RegisteredModelManifest,
  PartialRegisteredModelManifest,
  DesiredRegisteredModel,
  LiveRegisteredModels,
  LiveRegisteredModel,
  RegisteredModelAction
>({
  name: REGISTERED_MODEL,
  schema: RegisteredModelManifestSchema,
  partialSchema: PartialRegisteredModelManifestSchema,
  takesDefaults: false,
  localPaths: () => [],
  references: (m) =>
    m.spec.model ? [{ kind: CUSTOM_MODEL, name: m.spec.model.ref, path: ["spec", "model", "ref"] }] : [],
  rules: registeredModelRules,
  desired: desiredRegisteredModel,
  live: {
    empty: emptyLiveRegisteredModels,
    objects: (state) => state.registeredModels,
    identities: registeredModelIdentities,
  },
  dependencies: (d) => [d.modelKey],
  plan: planRegisteredModel,
  actions: [RegisterVersionActionSchema, UpdateRegisteredModelActionSchema],
  render: registeredModelRender,
  status: registeredModelStatus,
  unmanagedNote: "prune never deletes a registered model (delete it on DataRobot if it is no longer wanted)",
  io: async () => (await import("./apply.js")).registeredModelIo,
});
