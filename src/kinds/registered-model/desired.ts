import { z } from "zod";
import type { TagSchema } from "../../client/wire/custom-model.js";
import type { Issue } from "../../spec/issue.js";
import type { LoadedResource } from "../../spec/project.js";
import { compareCodePoints } from "../../spec/digest.js";
import { keyOf } from "../../reconcile/plan-context.js";
import { desiredBase, type DesiredBase, type DesiredInputs } from "../../reconcile/state.js";
import type { RegisteredModelManifest } from "./schema.js";

/**
 * The registered model's own fields, by wire key (PATCH registeredModels/{id}/): `name` from
 * `displayName` (always managed, default metadata.name), `description` and `isGlobal` (from
 * `global`) only when the manifest declares them.
 */
export const RegisteredModelFieldsSchema = z.object({
  name: z.string().min(1),
  description: z.string().optional(),
  isGlobal: z.boolean().optional(),
});
export type RegisteredModelFields = z.infer<typeof RegisteredModelFieldsSchema>;

export interface DesiredRegisteredModel extends DesiredBase {
  fields: RegisteredModelFields;
  /** Key of the CustomModel whose gated versions are registered. */
  modelKey: string;
  /** Sent with each new registered version, sorted by name. */
  tags: z.infer<typeof TagSchema>[];
}

export function desiredRegisteredModel(
  loaded: LoadedResource<RegisteredModelManifest>,
  inputs: DesiredInputs,
): { value?: DesiredRegisteredModel; issues: Issue[] } {
  const spec = loaded.manifest.spec;
  const fields: RegisteredModelFields = { name: spec.displayName ?? loaded.name };
  if (spec.description !== undefined) fields.description = spec.description;
  if (spec.global !== undefined) fields.isGlobal = spec.global;
  return {
    value: Object.assign(desiredBase(loaded, inputs.project.root, ["spec.model", "spec.displayName"]), {
      fields,
      modelKey: keyOf(inputs.project.namespace, spec.model.ref),
      tags: Object.entries(spec.tags ?? {})
        .map(([name, value]) => ({ name, value }))
        .sort((a, b) => compareCodePoints(a.name, b.name)),
    }),
    issues: [],
  };
}
