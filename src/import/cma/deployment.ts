import type { FieldPath } from "../../spec/issue.js";
import { DeploymentManifestSchema } from "../../kinds/deployment/schema.js";
import { RegisteredModelManifestSchema } from "../../kinds/registered-model/schema.js";
import type { TargetType } from "../../kinds/custom-model/schema.js";
import type { CmaDeployment, CmaModel } from "./schema.js";

/**
 * CMA deployment definitions (`DeploymentSchema`) and a model's `model_registry`, as drgitops
 * Deployment and RegisteredModel manifests. A Deployment serves its CustomModel directly
 * (`spec.model`): CMA deploys a package of the model's latest version, so the next plan finds the
 * deployment (same `userProvidedId`) already serving that version and neither creates nor replaces
 * anything. Whatever has no drgitops equivalent goes to `note`.
 */

type Note = (setting: FieldPath, reason: string) => void;

/** Target types whose package carries a target name (DataRobot reports null for the others). */
const NAMED_TARGET: ReadonlySet<string> = new Set(["Binary", "Regression", "Multiclass", "TextGeneration"]);

export interface DeploymentInput {
  /** The Deployment's metadata.name. */
  name: string;
  /** metadata.name of the CustomModel it serves. */
  model: string;
  /** The served model's CMA definition and drgitops target type. */
  modelDefinition: CmaModel;
  targetType: TargetType;
  note: Note;
}

export function convertDeployment(d: CmaDeployment, input: DeploymentInput): object | null {
  const { note } = input;
  const settings = d.settings ?? {};
  const spec: Record<string, unknown> = {};
  if (settings.label !== undefined) spec.label = settings.label;
  else {
    // CMA's default label: f"{target.name} Predictions [GitHub CI/CD]", from the package's target.
    const target = NAMED_TARGET.has(input.targetType) ? input.modelDefinition.settings.target_name : "None";
    spec.label = `${target} Predictions [GitHub CI/CD]`;
  }
  if (settings.description !== undefined) spec.description = settings.description;
  spec.model = { ref: input.model };
  if (d.prediction_environment_name !== undefined) {
    spec.predictionEnvironment = { name: d.prediction_environment_name };
    note(
      ["prediction_environment_name"],
      "CMA takes the first prediction environment whose name contains it (DataRobot's search); drgitops needs the exact name, so check that it is one",
    );
  }
  if (settings.importance !== undefined) spec.importance = settings.importance;
  const reason = input.modelDefinition.version.model_replacement_reason;
  if (reason !== undefined) spec.replacementReason = reason;

  const out: Record<string, unknown> = {};
  if (settings.enable_target_drift !== undefined) out.targetDrift = settings.enable_target_drift;
  if (settings.enable_feature_drift !== undefined) out.featureDrift = settings.enable_feature_drift;
  // CMA's enable_challenger_models defaults to true, and enables predictions data collection with it.
  const challengers = settings.enable_challenger_models ?? true;
  if (challengers) {
    out.predictionsDataCollection = true;
    if (settings.enable_predictions_collection === false)
      note(
        ["settings", "enable_predictions_collection"],
        "CMA enables predictions data collection with challenger models (enable_challenger_models, true by default), so the deployment collects them; drgitops keeps it enabled",
      );
  } else if (settings.enable_predictions_collection !== undefined)
    out.predictionsDataCollection = settings.enable_predictions_collection;
  note(
    settings.enable_challenger_models !== undefined
      ? ["settings", "enable_challenger_models"]
      : ["user_provided_deployment_id"],
    challengers
      ? `CMA adds each new version as a challenger${settings.enable_challenger_models === undefined ? " (enable_challenger_models defaults to true)" : ""}; drgitops has no challengers: it replaces the champion with the model's latest version (validated first), and leaves the challengers CMA added`
      : "drgitops has no challenger setting; it replaces the champion, as CMA does with challengers disabled",
  );
  const association = settings.association;
  if (association !== undefined) {
    if (association.association_id_column !== undefined)
      out.associationId = {
        column: association.association_id_column,
        ...(association.required_in_pred_request !== undefined
          ? { required: association.required_in_pred_request }
          : {}),
      };
    else if (association.required_in_pred_request !== undefined)
      note(
        ["settings", "association", "required_in_pred_request"],
        "drgitops sets it only with an association id column (spec.settings.associationId.column); left out",
      );
    for (const key of ["actual_values_column", "actuals_dataset_id"] as const)
      if (association[key] !== undefined)
        note(
          ["settings", "association", key],
          "drgitops does not upload actuals (CMA posts actuals_dataset_id once, when it creates the deployment); left out, the actuals already uploaded stay",
        );
  }
  if (settings.segment_analysis !== undefined)
    note(
      ["settings", "segment_analysis"],
      "drgitops has no segment analysis setting; left out, the deployment keeps what DataRobot has",
    );
  if (settings.additional_metadata !== undefined)
    note(
      ["settings", "additional_metadata"],
      "drgitops has no deployment metadata field (DataRobot ignores it at creation); left out",
    );
  if (Object.keys(out).length > 0) spec.settings = out;
  const manifest = { apiVersion: "drgitops/v1", kind: "Deployment", metadata: { name: input.name }, spec };
  const valid = DeploymentManifestSchema.safeParse(manifest);
  if (!valid.success) {
    note(
      ["user_provided_deployment_id"],
      `not converted: the manifest would be invalid (${valid.error.issues[0]?.message ?? "?"})`,
    );
    return null;
  }
  return manifest;
}

/** `model_registry` (model_name, model_description, global) as a RegisteredModel of the same name as the model. */
export function convertRegistry(def: CmaModel, name: string, note: Note): object | null {
  const registry = def.model_registry;
  if (registry === undefined) return null;
  const spec: Record<string, unknown> = {};
  if (registry.model_name !== undefined) {
    if (registry.model_name.length > 255) {
      note(["model_registry", "model_name"], "longer than drgitops' displayName (255 characters); left out");
    } else spec.displayName = registry.model_name;
  } else
    note(
      ["model_registry"],
      `no model_name: drgitops names the registered model "${name}" (its metadata.name)`,
    );
  if (registry.model_description !== undefined) {
    if (registry.model_description.length > 10000)
      note(
        ["model_registry", "model_description"],
        "longer than drgitops' description (10000 characters); left out",
      );
    else spec.description = registry.model_description;
  }
  spec.model = { ref: name };
  if (registry.global !== undefined) spec.global = registry.global;
  const manifest = { apiVersion: "drgitops/v1", kind: "RegisteredModel", metadata: { name }, spec };
  const valid = RegisteredModelManifestSchema.safeParse(manifest);
  if (!valid.success) {
    note(
      ["model_registry"],
      `not converted: the manifest would be invalid (${valid.error.issues[0]?.message ?? "?"})`,
    );
    return null;
  }
  return manifest;
}
