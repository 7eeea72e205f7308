import { isInvalid, reporter, type KindRule } from "../../spec/rules/context.js";
import type { PartialDeploymentManifest } from "./schema.js";

/** A deployment serves exactly one thing: a registered model, or a custom model directly. */
const oneSource: KindRule<PartialDeploymentManifest> = (entry, ctx) => {
  const spec = entry.manifest.spec;
  if (isInvalid(entry, ["spec", "registeredModel"]) || isInvalid(entry, ["spec", "model"])) return;
  if ((spec.registeredModel === undefined) === (spec.model === undefined))
    reporter(
      ctx,
      entry,
    )({
      code: spec.model === undefined ? "missing-field" : "conflicting-fields",
      path: spec.model === undefined ? ["spec"] : ["spec", "model"],
      message:
        "a Deployment needs exactly one of spec.registeredModel ({ref: <RegisteredModel>} or {id}) or spec.model ({ref: <CustomModel>} or {id})",
    });
};

export const deploymentRules: readonly KindRule<PartialDeploymentManifest>[] = [oneSource];
