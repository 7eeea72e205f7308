import { isRecord, mergeDefaults } from "../../spec/normalise.js";
import type { ManifestReference } from "../kind.js";
import { defineKind } from "../kind.js";
import { DATASET } from "../dataset/schema.js";
import { EXECUTION_ENVIRONMENT } from "../execution-environment/schema.js";
import { customModelActionSchemas, type CustomModelAction } from "./actions.js";
import { desiredModel, sensitiveValues, type DesiredModel } from "./desired.js";
import { emptyLiveModels, type LiveModel, type LiveModels } from "./live.js";
import { modelDependencies, planCustomModel } from "./plan.js";
import { customModelRender } from "./render.js";
import { customModelRules } from "./rules.js";
import {
  CUSTOM_MODEL,
  CustomModelManifestSchema,
  PartialCustomModelManifestSchema,
  type CustomModelManifest,
  type PartialCustomModelManifest,
} from "./schema.js";
import { customModelStatus } from "./status.js";

/** The `{ref}`s of a model manifest: its environment and every dataset it uses. */
function references(m: PartialCustomModelManifest): ManifestReference[] {
  const spec = m.spec;
  const refs: ManifestReference[] = [];
  if (spec.environment && "ref" in spec.environment)
    refs.push({
      kind: EXECUTION_ENVIRONMENT,
      name: spec.environment.ref,
      path: ["spec", "environment", "ref"],
    });
  const datasets: [{ ref: string } | { id: string } | undefined, (string | number)[]][] = [
    [spec.trainingData?.dataset, ["spec", "trainingData", "dataset", "ref"]],
    [spec.holdoutData?.dataset, ["spec", "holdoutData", "dataset", "ref"]],
    [spec.test?.dataset, ["spec", "test", "dataset", "ref"]],
    [
      spec.test?.checks?.predictionVerification?.dataset,
      ["spec", "test", "checks", "predictionVerification", "dataset", "ref"],
    ],
  ];
  for (const [ref, path] of datasets)
    if (ref && "ref" in ref) refs.push({ kind: DATASET, name: ref.ref, path });
  return refs;
}

/** The manifest's own choice of `resources.memory` or `resources.bundle` wins over a default of the other. */
function mergeModelDefaults(
  defaults: Record<string, unknown>,
  spec: Record<string, unknown>,
): Record<string, unknown> {
  const merged = mergeDefaults(defaults, spec);
  const own = isRecord(spec["resources"]) ? spec["resources"] : {};
  const resources = merged["resources"];
  if (!isRecord(resources)) return merged;
  const drop = own["bundle"] !== undefined ? "memory" : own["memory"] !== undefined ? "bundle" : undefined;
  if (drop === undefined || own[drop] !== undefined) return merged;
  const { [drop]: _dropped, ...kept } = resources;
  return { ...merged, resources: kept };
}

/** A custom inference model: its fields, one version per change, its dependency build and test gate. */
export const customModelKind = defineKind<
  CustomModelManifest,
  PartialCustomModelManifest,
  DesiredModel,
  LiveModels,
  LiveModel,
  CustomModelAction
>({
  name: CUSTOM_MODEL,
  schema: CustomModelManifestSchema,
  partialSchema: PartialCustomModelManifestSchema,
  takesDefaults: true,
  mergeDefaults: mergeModelDefaults,
  localPaths: (m, invalid) => {
    const spec = m.spec;
    const paths = [];
    if (spec.classLabelsFile !== undefined)
      paths.push({
        role: "classLabelsFile",
        field: ["spec", "classLabelsFile"],
        written: spec.classLabelsFile,
        expect: "file" as const,
        what: "class labels file",
        missingCode: "class-labels-file-missing",
        content: "lines" as const,
      });
    if (spec.source !== undefined)
      paths.push({
        role: "source",
        field: ["spec", "source", "path"],
        written: spec.source.path,
        expect: "dir" as const,
        what: "source folder",
        missingCode: "source-missing",
        notDirectoryCode: "source-not-directory",
        content: "files" as const,
        filter: { include: spec.source.include, exclude: spec.source.exclude },
        empty: { code: "source-empty", hint: "a version needs at least its code" },
        modelMetadata: true,
        // Listing without valid include/exclude would judge the wrong files.
        listable: !invalid(["spec", "source"]),
      });
    return paths;
  },
  references,
  rules: customModelRules,
  desired: desiredModel,
  secrets: sensitiveValues,
  live: {
    empty: emptyLiveModels,
    objects: (state) => state.models,
    // Defence in depth: listing already drops them, but a model outside the namespace is never ours.
    identities: (m, namespace) => (m.key.startsWith(`${namespace}/`) ? [m.key] : []),
  },
  dependencies: modelDependencies,
  plan: planCustomModel,
  actions: customModelActionSchemas,
  render: customModelRender,
  status: customModelStatus,
  io: async () => (await import("./apply.js")).customModelIo,
  operations: async () => (await import("./apply-operations.js")).customModelOperations,
});
