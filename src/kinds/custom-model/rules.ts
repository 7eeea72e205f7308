import type { RuntimeValueProblem } from "../../spec/runtime-values.js";
import { checkRuntimeValue } from "../../spec/runtime-values.js";
import { isInvalid, reporter, type Entry, type KindRule } from "../../spec/rules/context.js";
import type { PartialCustomModelManifest, TargetType } from "./schema.js";

type ModelEntry = Entry<PartialCustomModelManifest>;

const NEEDS_TARGET_NAME: ReadonlySet<TargetType> = new Set([
  "Binary",
  "Regression",
  "Multiclass",
  "TextGeneration",
]);

/** How a runtime value problem reads, the same for a literal and for a value read from `{env}`. */
export function runtimeValueMessage(
  name: string,
  problem: RuntimeValueProblem,
  metadataFile: string,
): string {
  switch (problem.code) {
    case "runtime-param-credential":
      return problem.detail;
    case "runtime-param-required":
      return `"${name}" has allowEmpty: false in ${metadataFile}; an empty string is not a value`;
    default:
      return `"${name}": ${problem.detail}`;
  }
}

/** Which fields each target type needs or forbids (DESIGN §3, API.md §1.2). */
const targetTypeRules: KindRule<PartialCustomModelManifest> = (model, ctx) => {
  const report = reporter(ctx, model);
  const spec = model.manifest.spec;
  const type = spec.targetType;
  // Every rule here depends on the target type; an invalid one was reported by the schema.
  if (type === undefined) return;
  // A field that is absent because its value was invalid is not missing: it was reported already.
  const missing = (field: keyof typeof spec): boolean =>
    spec[field] === undefined && !isInvalid(model, ["spec", field]);
  if (NEEDS_TARGET_NAME.has(type) && missing("targetName")) {
    report({
      code: "target-name-required",
      path: ["spec", "targetName"],
      message: `a ${type} model needs spec.targetName (the column it predicts)`,
    });
  }

  if (!NEEDS_TARGET_NAME.has(type) && spec.targetName !== undefined) {
    report({
      code: "target-name-ignored",
      severity: "warning",
      path: ["spec", "targetName"],
      message: `DataRobot ignores targetName for ${type} models; remove it to keep the manifest honest`,
    });
  }

  if (type === "Binary") {
    for (const field of ["positiveClassLabel", "negativeClassLabel"] as const) {
      if (missing(field)) {
        report({
          code: "labels-required",
          path: ["spec", field],
          message: `a Binary model needs both spec.positiveClassLabel and spec.negativeClassLabel; ${field} is missing`,
        });
      }
    }
    if (spec.positiveClassLabel !== undefined && spec.positiveClassLabel === spec.negativeClassLabel) {
      report({
        code: "labels-identical",
        path: ["spec", "negativeClassLabel"],
        message: `positive and negative class labels are both "${spec.positiveClassLabel}"; they must differ`,
      });
    }
  } else {
    for (const field of ["positiveClassLabel", "negativeClassLabel", "predictionThreshold"] as const) {
      if (spec[field] !== undefined) {
        report({
          code: field === "predictionThreshold" ? "threshold-not-allowed" : "labels-not-allowed",
          path: ["spec", field],
          message: `${field} applies to Binary models only, and this one is ${type}; remove it`,
        });
      }
    }
  }

  if (type === "Multiclass") {
    checkClassLabels(model, missing, report);
  } else {
    for (const field of ["classLabels", "classLabelsFile"] as const) {
      if (spec[field] !== undefined) {
        report({
          code: "class-labels-not-allowed",
          path: ["spec", field],
          message: `${field} applies to Multiclass models only, and this one is ${type}; remove it`,
        });
      }
    }
  }

  if (type === "Unstructured") {
    if (spec.trainingData?.partitionColumn !== undefined) {
      report({
        code: "partition-column-not-allowed",
        path: ["spec", "trainingData", "partitionColumn"],
        message: "an Unstructured model takes its holdout from spec.holdoutData, not a partition column",
      });
    }
  } else {
    if (spec.holdoutData !== undefined) {
      report({
        code: "holdout-not-allowed",
        path: ["spec", "holdoutData"],
        message: `holdoutData is for Unstructured models; a ${type} model marks its holdout rows with spec.trainingData.partitionColumn`,
      });
    }
    // No test section: an untested model (DESIGN.md §3); a test section needs its dataset.
    if (
      spec.test !== undefined &&
      spec.test.dataset === undefined &&
      !isInvalid(model, ["spec", "test", "dataset"])
    ) {
      report({
        code: "test-dataset-required",
        path: ["spec", "test", "dataset"],
        message: `a ${type} model is tested with a dataset: set spec.test.dataset to {ref: <Dataset name>} or {id: <catalog id>}, or remove spec.test to leave the model untested`,
      });
    }
  }
};

function checkClassLabels(
  model: ModelEntry,
  missing: (field: "classLabels" | "classLabelsFile") => boolean,
  report: ReturnType<typeof reporter>,
): void {
  const spec = model.manifest.spec;
  const file = model.paths["classLabelsFile"];
  if (spec.classLabels !== undefined && spec.classLabelsFile !== undefined) {
    report({
      code: "class-labels-conflict",
      path: ["spec", "classLabelsFile"],
      message: "give either spec.classLabels or spec.classLabelsFile, not both",
    });
    return;
  }
  if (missing("classLabels") && missing("classLabelsFile")) {
    report({
      code: "class-labels-required",
      path: ["spec", "classLabels"],
      message:
        "a Multiclass model needs spec.classLabels (a list) or spec.classLabelsFile (one label per line)",
    });
    return;
  }
  // A file whose path is bad is reported by the path rules; only its contents are judged here.
  const labels = spec.classLabels ?? file?.lines;
  if (labels === undefined) return;
  const field = spec.classLabels !== undefined ? "classLabels" : "classLabelsFile";
  const distinct = new Set(labels);
  if (distinct.size < 2) {
    report({
      code: "class-labels-too-few",
      path: ["spec", field],
      message: `a Multiclass model needs at least 2 distinct class labels; ${field} has ${distinct.size}`,
    });
  } else if (distinct.size !== labels.length) {
    const seen = new Set<string>();
    const dup = labels.find((l) => (seen.has(l) ? true : (seen.add(l), false)));
    report({
      code: "class-labels-duplicate",
      path: ["spec", field],
      message: `class label "${dup ?? ""}" appears more than once in ${field}`,
    });
  }
}

/** A version gets its memory from a resource bundle or from `memory`, never both (API.md §2.2). */
const resourcesRule: KindRule<PartialCustomModelManifest> = (model, ctx) => {
  const resources = model.manifest.spec.resources;
  if (resources?.memory === undefined || resources.bundle === undefined) return;
  reporter(
    ctx,
    model,
  )({
    code: "memory-bundle-conflict",
    path: ["spec", "resources", "bundle"],
    message:
      "give either spec.resources.memory or spec.resources.bundle, not both: a resource bundle sets the memory",
  });
};

/** model-metadata.yaml on its own: the cross-field rules of API.md §10.2, reported in that file. */
const metadataDefinitionRules: KindRule<PartialCustomModelManifest> = (model, ctx) => {
  {
    const meta = model.paths["source"]?.metadata;
    const definitions = meta?.parsed?.runtimeParameterDefinitions;
    if (!meta?.doc || !definitions) return;
    const report = (path: (string | number)[], code: string, message: string): void =>
      ctx.report({ code, path, message, at: meta.doc!, kind: model.kind, name: model.name });
    const seen = new Set<string>();
    definitions.forEach((def, i) => {
      const at = (field: string): (string | number)[] => ["runtimeParameterDefinitions", i, field];
      if (seen.has(def.fieldName)) {
        report(
          at("fieldName"),
          "metadata-duplicate-parameter",
          `runtime parameter "${def.fieldName}" is defined twice`,
        );
      }
      seen.add(def.fieldName);
      for (const field of ["minValue", "maxValue"] as const) {
        if (def[field] !== undefined && def.type !== "numeric") {
          report(
            at(field),
            "metadata-invalid-definition",
            `${field} is only allowed on numeric parameters, and "${def.fieldName}" is ${def.type}`,
          );
        }
      }
      if (def.minValue !== undefined && def.maxValue !== undefined && def.minValue > def.maxValue) {
        report(
          at("minValue"),
          "metadata-invalid-definition",
          `minValue ${def.minValue} is greater than maxValue ${def.maxValue}`,
        );
      }
      if (def.credentialType !== undefined && def.type !== "credential") {
        report(
          at("credentialType"),
          "metadata-invalid-definition",
          `credentialType is only allowed on credential parameters, and "${def.fieldName}" is ${def.type}`,
        );
      }
      if (def.defaultValue !== undefined && def.defaultValue !== null) {
        const checked = checkRuntimeValue(def, def.defaultValue);
        const problem =
          def.type === "credential"
            ? checkCredentialDefault(def.defaultValue)
            : checked?.code === "runtime-param-required"
              ? undefined
              : checked?.detail;
        if (problem)
          report(
            at("defaultValue"),
            "metadata-invalid-default",
            `defaultValue of "${def.fieldName}": ${problem}`,
          );
      }
    });
  }
};

function checkCredentialDefault(value: string | number | boolean): string | undefined {
  return typeof value === "string"
    ? undefined
    : "a credential default must be a credential id (a string) or null";
}

/** The manifest's runtimeParameters against the definitions in the model's own model-metadata.yaml. */
const runtimeParameterRules: KindRule<PartialCustomModelManifest> = (model, ctx) => {
  // Without a readable source (or with invalid include/exclude) nothing is known of model-metadata.yaml.
  const source = model.paths["source"];
  if (source === undefined || source.problem !== undefined || isInvalid(model, ["spec", "source"])) return;
  const report = reporter(ctx, model);
  const values = model.manifest.spec.runtimeParameters ?? {};
  const meta = source.metadata;
  const names = Object.keys(values);
  if (meta === undefined) {
    if (names.length > 0) {
      report({
        code: "runtime-param-unknown",
        path: ["spec", "runtimeParameters"],
        message: `the source folder has no model-metadata.yaml, so no runtime parameters are defined; add runtimeParameterDefinitions for ${names.join(", ")} to model-metadata.yaml at the top of the source folder`,
      });
    }
    return;
  }
  const parsed = meta.parsed;
  if (parsed === undefined) return; // its own errors were reported; judging values against it would mislead
  const absent = (["name", "type", "targetType"] as const).filter((k) => parsed[k] === undefined);
  if (absent.length > 0 && meta.doc) {
    ctx.report({
      code: "metadata-incomplete",
      severity: "warning",
      path: [],
      message: `model-metadata.yaml lacks ${absent.join(", ")}; DRUM (and so DataRobot) requires name, type and targetType`,
      at: meta.doc,
      kind: model.kind,
      name: model.name,
    });
  }
  const targetType = model.manifest.spec.targetType;
  if (
    parsed.targetType !== undefined &&
    targetType !== undefined &&
    parsed.targetType !== targetType.toLowerCase()
  ) {
    report({
      code: "metadata-target-type-mismatch",
      path: ["spec", "targetType"],
      message: `targetType ${targetType} contradicts targetType "${parsed.targetType}" in ${meta.file}; make them agree`,
    });
  }
  const definitions = new Map((parsed.runtimeParameterDefinitions ?? []).map((d) => [d.fieldName, d]));
  for (const [name, value] of Object.entries(values)) {
    const path = ["spec", "runtimeParameters", name];
    const def = definitions.get(name);
    if (def === undefined) {
      const known = [...definitions.keys()];
      const suggestion = known.find((k) => k.toLowerCase() === name.toLowerCase());
      report({
        code: "runtime-param-unknown",
        path,
        atKey: true,
        message: `runtime parameter "${name}" is not defined in ${meta.file}${suggestion ? ` (did you mean "${suggestion}"?)` : known.length > 0 ? `; defined: ${known.join(", ")}` : ""}`,
      });
      continue;
    }
    if (typeof value === "object") {
      if ("credential" in value && def.type !== "credential") {
        report({
          code: "runtime-param-type",
          path,
          message: `"${name}" is a ${def.type} parameter; {credential} is only for credential parameters`,
        });
      } else if ("env" in value && def.type === "credential") {
        report({
          code: "runtime-param-credential",
          path,
          message: `"${name}" is a credential parameter: give {credential: <name of a DataRobot credential>}; secrets are never read from the environment`,
        });
      }
      continue; // {env} values are read and type-checked at plan time
    }
    const problem = checkRuntimeValue(def, value);
    if (problem) report({ code: problem.code, path, message: runtimeValueMessage(name, problem, meta.file) });
  }
  for (const def of definitions.values()) {
    const hasDefault = def.defaultValue !== undefined && def.defaultValue !== null && def.defaultValue !== "";
    const given = def.fieldName in values || isInvalid(model, ["spec", "runtimeParameters", def.fieldName]);
    if (def.allowEmpty === false && !hasDefault && !given) {
      report({
        code: "runtime-param-required",
        path: ["spec", "runtimeParameters", def.fieldName],
        message: `runtime parameter "${def.fieldName}" is required (allowEmpty: false, no defaultValue in ${meta.file}); set spec.runtimeParameters.${def.fieldName}`,
      });
    }
  }
};

export const customModelRules: readonly KindRule<PartialCustomModelManifest>[] = [
  targetTypeRules,
  resourcesRule,
  metadataDefinitionRules,
  runtimeParameterRules,
];
