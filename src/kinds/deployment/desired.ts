import type { Issue } from "../../spec/issue.js";
import type { LoadedResource } from "../../spec/project.js";
import { keyOf } from "../../reconcile/plan-context.js";
import { desiredBase, type DesiredBase, type DesiredInputs } from "../../reconcile/state.js";
import { managedSettings, type ManagedSettings } from "./settings.js";
import type {
  DeploymentManifest,
  Importance,
  PredictionEnvironmentRef,
  ReplacementReason,
} from "./schema.js";

/** Deployment fields PATCH deployments/{id}/ takes: `label` always (default metadata.name), the others when declared. */
export interface DeploymentFields {
  label: string;
  description?: string;
  importance?: Importance;
}

/** What the deployment serves: a registered model's newest version, or a custom model's latest gated one. */
export type DesiredServes = { kind: "registeredModel" | "model" } & ({ key: string } | { id: string });

export interface DesiredDeployment extends DesiredBase {
  fields: DeploymentFields;
  serves: DesiredServes;
  predictionEnvironment: PredictionEnvironmentRef | null;
  replacementReason: ReplacementReason;
  settings: ManagedSettings;
  protected: boolean;
}

/** The fields a plan may refuse: what it serves (unresolved, another target type) and where it runs. */
const REFUSABLE_FIELDS = ["spec.registeredModel", "spec.model", "spec.predictionEnvironment"];

export function desiredDeployment(
  loaded: LoadedResource<DeploymentManifest>,
  inputs: DesiredInputs,
): { value?: DesiredDeployment; issues: Issue[] } {
  const spec = loaded.manifest.spec;
  const namespace = inputs.project.namespace;
  const fields: DeploymentFields = { label: spec.label ?? loaded.name };
  if (spec.description !== undefined) fields.description = spec.description;
  if (spec.importance !== undefined) fields.importance = spec.importance;
  // The rules made sure exactly one of registeredModel / model is given.
  const source = spec.registeredModel
    ? { kind: "registeredModel" as const, ref: spec.registeredModel }
    : { kind: "model" as const, ref: spec.model! };
  const serves: DesiredServes =
    "ref" in source.ref
      ? { kind: source.kind, key: keyOf(namespace, source.ref.ref) }
      : { kind: source.kind, id: source.ref.id };
  return {
    value: Object.assign(desiredBase(loaded, inputs.project.root, REFUSABLE_FIELDS), {
      fields,
      serves,
      predictionEnvironment: spec.predictionEnvironment ?? null,
      replacementReason: spec.replacementReason ?? "OTHER",
      settings: managedSettings(spec.settings),
      protected: spec.lifecycle?.protected ?? false,
    }),
    issues: [],
  };
}
