import { invalid } from "../http/errors.js";
import { parseBoolean, parseEnum, parseInteger, parseString } from "../http/values.js";
import type { ModelDoc } from "../store/models.js";
import { GitModelVersionSchema, NETWORK_EGRESS_POLICIES, TagSchema, TARGET_TYPES } from "../store/models.js";
import { z } from "zod";

/** Target types that need `targetName` (API.md §1.2). */
const NEEDS_TARGET_NAME = new Set(["Binary", "Regression", "Multiclass", "TextGeneration"]);
const HAS_CLASS_LABELS = new Set(["Multiclass", "Multilabel"]);

export const DEFAULT_MODEL_DOC: Omit<ModelDoc, "name" | "targetType"> = {
  description: "",
  targetName: null,
  positiveClassLabel: null,
  negativeClassLabel: null,
  predictionThreshold: 0.5,
  classLabels: null,
  language: "",
  networkEgressPolicy: null,
  maximumMemory: null,
  desiredMemory: null,
  replicas: null,
  isTrainingDataForVersionsPermanentlyEnabled: false,
  isProxyModel: false,
  isUnstructuredModelKind: false,
  tags: [],
  userProvidedId: null,
  gitModelVersion: null,
  externalMlopsStatsConfig: null,
  trainingDatasetId: null,
  trainingDatasetVersionId: null,
  trainingDataFileName: null,
  trainingDataPartitionColumn: null,
  trainingDataAssignmentInProgress: false,
};

/**
 * Applies a create (current undefined) or PATCH body to a model's fields (API.md §1.2, §0.9 rule 6:
 * absent = unchanged, null = default). `externalMlopsStatsConfig` is handled by the route (needs datasets).
 */
export function applyModelFields(current: ModelDoc | undefined, body: Record<string, unknown>): ModelDoc {
  const has = (k: string): boolean => Object.hasOwn(body, k);
  const type = parseString(body["customModelType"], "customModelType");
  if (type != null && type !== "inference")
    throw invalid("customModelType", `customModelType must be "inference", got "${type}"`);

  let targetType = parseEnum(body["targetType"], "targetType", TARGET_TYPES) ?? undefined;
  if (current === undefined && targetType === undefined) {
    // PY 2.x derives the target type from these deprecated flags.
    if (parseBoolean(body["supportsBinaryClassification"], "supportsBinaryClassification"))
      targetType = "Binary";
    else if (parseBoolean(body["supportsRegression"], "supportsRegression")) targetType = "Regression";
  }
  if (current === undefined && targetType === undefined)
    throw invalid("targetType", "targetType is required");
  if (current !== undefined && targetType !== undefined && targetType !== current.targetType)
    throw invalid("targetType", `targetType cannot be changed (it is ${current.targetType})`);
  const base: ModelDoc = current ?? { ...DEFAULT_MODEL_DOC, name: "", targetType: targetType ?? "Binary" };
  const next: ModelDoc = { ...base };

  if (current === undefined || has("name")) {
    const name = parseString(body["name"], "name");
    if (!name || name.trim() === "") throw invalid("name", "name is required and must not be empty");
    next.name = name;
  }
  if (has("description")) next.description = parseString(body["description"], "description") ?? "";
  if (has("language")) next.language = parseString(body["language"], "language") ?? "";
  if (has("targetName")) next.targetName = parseString(body["targetName"], "targetName") || null;
  if (has("positiveClassLabel"))
    next.positiveClassLabel = parseString(body["positiveClassLabel"], "positiveClassLabel") ?? null;
  if (has("negativeClassLabel"))
    next.negativeClassLabel = parseString(body["negativeClassLabel"], "negativeClassLabel") ?? null;
  if (has("predictionThreshold")) {
    const t = body["predictionThreshold"];
    if (t === null) next.predictionThreshold = 0.5;
    else if (typeof t !== "number" || t < 0 || t > 1)
      throw invalid("predictionThreshold", "predictionThreshold must be a number between 0 and 1");
    else next.predictionThreshold = t;
  }
  if (has("classLabels")) {
    const labels = body["classLabels"];
    if (labels === null) next.classLabels = null;
    else {
      const parsed = z.array(z.string()).safeParse(labels);
      if (!parsed.success) throw invalid("classLabels", "classLabels must be a list of strings");
      next.classLabels = parsed.data;
    }
  }
  if (has("networkEgressPolicy"))
    next.networkEgressPolicy =
      parseEnum(body["networkEgressPolicy"], "networkEgressPolicy", NETWORK_EGRESS_POLICIES) ?? null;
  if (has("maximumMemory"))
    next.maximumMemory = parseInteger(body["maximumMemory"], "maximumMemory", 1) ?? null;
  if (has("desiredMemory"))
    next.desiredMemory = parseInteger(body["desiredMemory"], "desiredMemory", 1) ?? null;
  if (has("replicas")) next.replicas = parseInteger(body["replicas"], "replicas", 1) ?? null;
  if (has("isTrainingDataForVersionsPermanentlyEnabled")) {
    const v =
      parseBoolean(
        body["isTrainingDataForVersionsPermanentlyEnabled"],
        "isTrainingDataForVersionsPermanentlyEnabled",
      ) ?? false;
    if (base.isTrainingDataForVersionsPermanentlyEnabled && !v && current !== undefined)
      throw invalid(
        "isTrainingDataForVersionsPermanentlyEnabled",
        "isTrainingDataForVersionsPermanentlyEnabled cannot be disabled once enabled",
      );
    next.isTrainingDataForVersionsPermanentlyEnabled = v;
  }
  if (has("isProxyModel")) next.isProxyModel = parseBoolean(body["isProxyModel"], "isProxyModel") ?? false;
  if (has("isUnstructuredModelKind"))
    next.isUnstructuredModelKind =
      parseBoolean(body["isUnstructuredModelKind"], "isUnstructuredModelKind") ?? false;
  if (has("tags")) {
    const parsed = z.array(TagSchema).nullable().safeParse(body["tags"]);
    if (!parsed.success) throw invalid("tags", "tags must be a list of {name, value} strings");
    next.tags = parsed.data ?? [];
  }
  if (has("userProvidedId"))
    next.userProvidedId = parseString(body["userProvidedId"], "userProvidedId") || null;
  if (has("gitModelVersion")) {
    const parsed = GitModelVersionSchema.nullable().safeParse(body["gitModelVersion"]);
    if (!parsed.success) throw invalid("gitModelVersion", "gitModelVersion must be an object");
    next.gitModelVersion = parsed.data;
  }
  return checkTargetRules(next);
}

/** Cross-field rules by target type; fields that do not apply are stored as null. */
function checkTargetRules(doc: ModelDoc): ModelDoc {
  const t = doc.targetType;
  if (NEEDS_TARGET_NAME.has(t) && !doc.targetName)
    throw invalid("targetName", `targetName is required for targetType ${t}`);
  if (!NEEDS_TARGET_NAME.has(t)) doc.targetName = null;
  if (t === "Binary") {
    if ((doc.positiveClassLabel === null) !== (doc.negativeClassLabel === null))
      throw invalid(
        doc.positiveClassLabel === null ? "positiveClassLabel" : "negativeClassLabel",
        "positiveClassLabel and negativeClassLabel must be given together",
      );
  } else {
    doc.positiveClassLabel = null;
    doc.negativeClassLabel = null;
  }
  if (HAS_CLASS_LABELS.has(t)) {
    if (doc.classLabels !== null && new Set(doc.classLabels).size < 2)
      throw invalid("classLabels", "classLabels needs at least 2 distinct labels");
  } else doc.classLabels = null;
  return doc;
}
