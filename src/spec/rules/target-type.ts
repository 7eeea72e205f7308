import type { TargetType } from "../schema/custom-model.js";
import type { ModelEntry, Rule } from "./context.js";
import { isInvalid, reporter } from "./context.js";

const NEEDS_TARGET_NAME: ReadonlySet<TargetType> = new Set([
  "Binary",
  "Regression",
  "Multiclass",
  "TextGeneration",
]);

/** Which fields each target type needs or forbids (DESIGN §3, API.md §1.2). */
export const targetTypeRules: Rule = (ctx) => {
  for (const model of ctx.models) checkModel(model, reporter(ctx, model));
};

function checkModel(model: ModelEntry, report: ReturnType<typeof reporter>): void {
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
    if (spec.test?.dataset === undefined && !isInvalid(model, ["spec", "test", "dataset"])) {
      report({
        code: "test-dataset-required",
        path: spec.test === undefined ? ["spec", "test"] : ["spec", "test", "dataset"],
        message: `a ${type} model is tested with a dataset: set spec.test.dataset to {ref: <Dataset name>} or {id: <catalog id>}`,
      });
    }
  }
}

function checkClassLabels(
  model: ModelEntry,
  missing: (field: "classLabels" | "classLabelsFile") => boolean,
  report: ReturnType<typeof reporter>,
): void {
  const spec = model.manifest.spec;
  const file = model.facts.classLabelsFile;
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
  const labels = spec.classLabels ?? file?.labels;
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
