import { dirname, join, resolve } from "node:path";
import { DrgitopsError } from "../../errors.js";
import type { FieldPath } from "../../spec/issue.js";
import { findProjectRoot } from "../../spec/project-root.js";
import { CustomModelManifestSchema, type TargetType } from "../../kinds/custom-model/schema.js";
import { parseMemory } from "../../spec/schema/memory.js";
import { ResourceNameSchema } from "../../spec/schema/common.js";
import { isInside } from "../../spec/source-files.js";
import { cmaNamespace, cmaUserProvidedId, splitKeys } from "./namespace.js";
import { sanitizedName, uniqueName } from "../names.js";
import { readCmaRepository, repoPath } from "./read.js";
import type { CmaModelDefinition, CmaProblem, CmaRepository } from "./read.js";
import { DR_TARGET_TYPE, isCmaBinary, isCmaMulticlass, isCmaUnstructured } from "./schema.js";
import type { CmaMemory, CmaModel } from "./schema.js";
import { convertSource, sourcePath } from "./source.js";
import { convertDeployment, convertRegistry } from "./deployment.js";
import { yamlText } from "../yaml.js";

/**
 * `drgitops import --from-cma DIR`: custom-models-action definitions in, drgitops manifests out,
 * such that the next `plan` finds every model under the same key (`userProvidedId`) with a latest
 * version equal to its manifest, so no model and no version is created, and every deployment under
 * the same key serving that version, so none is created or replaced. Whatever cannot be carried
 * over exactly is in `report`, with the file and line of the CMA setting and why.
 */

export interface ConvertOptions {
  /** The CMA repository (its root, CMA's GITHUB_WORKSPACE). */
  dir: string;
  /** Where the manifests go (`<outDir>/manifests/<name>.yaml`). */
  outDir: string;
  /** The `namespace` input the team gave CMA; default: the one its workflow sets. */
  namespace?: string;
}

export interface ConversionFile {
  /** Absolute path. */
  path: string;
  content: string;
}

export interface ReportItem {
  /** The CMA file, relative to `dir` (POSIX). */
  file: string;
  line: number;
  column: number;
  /** The model's (or deployment's) userProvidedId on DataRobot. */
  model: string;
  /** The CMA setting, e.g. `version.include_glob_pattern[1]` or `settings.prediction_threshold`. */
  setting: string;
  reason: string;
}

export interface ConvertedModel {
  userProvidedId: string;
  /** metadata.name; the key is `<namespace>/<name>` (equal to userProvidedId unless reported). */
  name: string;
  /** Absolute path of the manifest written for it. */
  manifest: string;
  /** The `filePath`s CMA uploads for it. */
  cmaFiles: string[];
}

export interface ConvertedDeployment {
  userProvidedId: string;
  /** metadata.name of the Deployment; its key is `<namespace>/<name>`. */
  name: string;
  /** metadata.name of the CustomModel it serves. */
  model: string;
  /** Absolute path of the manifest file it is written to (its model's). */
  manifest: string;
}

export interface ConversionResult {
  files: ConversionFile[];
  /** drgitops' namespace (written to drgitops.yaml). */
  namespace: string;
  /** CMA's namespace, with its trailing `/`, and where it came from. */
  cmaNamespace: string;
  namespaceSource: "option" | "workflow";
  models: ConvertedModel[];
  deployments: ConvertedDeployment[];
  /** metadata.name of each RegisteredModel written (one per model with a CMA `model_registry`). */
  registeredModels: string[];
  report: ReportItem[];
  /** What CMA itself refuses (a definition, a model's files); `file` relative to `dir`. */
  problems: CmaProblem[];
}

const NEEDS_TARGET_NAME: ReadonlySet<string> = new Set([
  "Binary",
  "Regression",
  "Multiclass",
  "TextGeneration",
]);

/** `settings.x.y` / `version.include_glob_pattern[1]`. */
function settingName(path: FieldPath): string {
  return path.reduce<string>(
    (s, seg) => (typeof seg === "number" ? `${s}[${seg}]` : s === "" ? seg : `${s}.${seg}`),
    "",
  );
}

export async function convertCmaRepository(options: ConvertOptions): Promise<ConversionResult> {
  const repo = await readCmaRepository(options.dir);
  const { namespace: cmaNs, source: namespaceSource } = resolveNamespace(options, repo);
  const outDir = resolve(options.outDir);
  const projectRoot = await findProjectRoot(outDir);
  const report: ReportItem[] = [];
  const problems: ConversionResult["problems"] = repo.problems.map((p) => ({
    ...p,
    file: repoPath(repo.dir, p.file),
  }));

  const ids = repo.models.map((m) => cmaUserProvidedId(cmaNs, m.definition.user_provided_model_id));
  const deploymentIds = repo.deployments.map((d) =>
    cmaUserProvidedId(cmaNs, d.definition.user_provided_deployment_id),
  );
  // Deployments too: their keys must equal CMA's userProvidedIds for the next plan to adopt them.
  // They never narrow the models' namespace, though: one outside it is reported, not converted.
  const modelSplit = splitKeys(cmaNs, ids);
  const joint = splitKeys(cmaNs, [...ids, ...deploymentIds]);
  const split = joint !== null && joint.namespace === modelSplit?.namespace ? joint : modelSplit;
  if (split === null)
    throw new DrgitopsError(
      "cma-namespace",
      `CMA's namespace "${cmaNs}" cannot be a drgitops namespace (path-like segments of letters, digits, ".", "_" or "-"); drgitops could not find its models under the same userProvidedId`,
    );

  const noteFor =
    (m: CmaModelDefinition, model: string) =>
    (setting: FieldPath, reason: string): void => {
      const pos = m.locate(setting);
      report.push({ file: repoPath(repo.dir, m.file), ...pos, model, setting: settingName(setting), reason });
    };

  // Names first: the file list of a model must leave out the manifests this import writes.
  const used = new Set<string>();
  const planned = repo.models.map((m, i) => {
    const id = ids[i]!;
    const note = noteFor(m, id);
    let name = split.names.get(id) ?? null;
    if (name === null) {
      // Every id starts with the namespace: splitKeys only moves shared folders into it.
      const rest = id.slice(split.namespace.length + 1);
      name = sanitizedName(rest);
      note(
        ["user_provided_model_id"],
        `"${rest}" cannot be a drgitops metadata.name (1-63 lowercase letters, digits and "-"), so it is named "${name}" and its key ${split.namespace}/${name} differs from the userProvidedId: the next apply would create a new model, and with --prune delete the old one unless it is deployed. Rename it in CMA first if you want to keep one model`,
      );
    }
    const unique = uniqueName(name, used);
    if (unique !== name)
      note(
        ["user_provided_model_id"],
        `metadata.name "${name}" is taken by another model; named "${unique}"`,
      );
    return { m, id, name: unique, manifest: join(outDir, "manifests", `${unique}.yaml`) };
  });
  const configFile = join(projectRoot, "drgitops.yaml");
  const generated = [configFile, ...planned.map((p) => p.manifest)];

  const deployedIds = new Set(
    repo.deployments.map((d) => cmaUserProvidedId(cmaNs, d.definition.user_provided_model_id)),
  );
  const files: ConversionFile[] = [];
  const models: ConvertedModel[] = [];
  for (const p of planned) {
    const note = noteFor(p.m, p.id);
    const deployed = deployedIds.has(p.id);
    const converted = await convertModel(p.m, {
      ...p,
      workspace: repo.dir,
      projectRoot,
      generated,
      note,
      deployed,
    });
    for (const message of converted.problems) {
      const pos = p.m.locate(["user_provided_model_id"]);
      problems.push({
        file: repoPath(repo.dir, p.m.file),
        ...pos,
        severity: "error",
        message: `${p.id}: ${message}`,
      });
    }
    if (converted.manifest === null) continue;
    files.push({ path: p.manifest, content: converted.manifest });
    models.push({ userProvidedId: p.id, name: p.name, manifest: p.manifest, cmaFiles: converted.cmaFiles });
  }

  // A model's registered model and deployments go into its manifest file, after the model.
  const extra = new Map<string, string[]>();
  const deployments: ConvertedDeployment[] = [];
  const registeredModels: string[] = [];
  const append = (manifest: string, text: string): void => {
    extra.set(manifest, [...(extra.get(manifest) ?? []), text]);
  };
  for (const model of models) {
    const p = planned.find((q) => q.id === model.userProvidedId)!;
    const registry = convertRegistry(p.m.definition, model.name, noteFor(p.m, p.id));
    if (registry !== null) registeredModels.push(model.name);
    if (registry !== null)
      append(
        model.manifest,
        yamlText(registry, [
          `Converted from model_registry of ${repoPath(repo.dir, p.m.file)}: CMA registered each version`,
          `of ${p.id} there; drgitops registers each version that passed its test (or every`,
          "version of an untested model).",
        ]),
      );
  }
  const usedDeployments = new Set<string>();
  repo.deployments.forEach((d, i) => {
    const id = deploymentIds[i]!;
    const modelId = cmaUserProvidedId(cmaNs, d.definition.user_provided_model_id);
    const noted: string[] = [];
    const note = (setting: FieldPath, reason: string): void => {
      noted.push(settingName(setting));
      const pos = d.locate(setting);
      report.push({
        file: repoPath(repo.dir, d.file),
        ...pos,
        model: id,
        setting: settingName(setting),
        reason,
      });
    };
    const model = models.find((m) => m.userProvidedId === modelId);
    const p = planned.find((q) => q.id === modelId);
    if (model === undefined || p === undefined) {
      note(
        ["user_provided_model_id"],
        `not converted: its model ${modelId} ${p === undefined ? "is not defined in this repository" : "was not converted"}, and a drgitops Deployment serves a model of the project; drgitops does not touch the deployment`,
      );
      return;
    }
    if (!id.startsWith(`${split.namespace}/`)) {
      note(
        ["user_provided_deployment_id"],
        `not converted: its userProvidedId ${id} is outside drgitops' namespace ${split.namespace} (the folders the model ids share), so no key can match it; drgitops does not touch the deployment`,
      );
      return;
    }
    const rest = id.slice(split.namespace.length + 1);
    let name = split.names.get(id) ?? (ResourceNameSchema.safeParse(rest).success ? rest : null);
    if (name === null) {
      name = sanitizedName(rest);
      note(
        ["user_provided_deployment_id"],
        `"${rest}" cannot be a drgitops metadata.name (1-63 lowercase letters, digits and "-"), so it is named "${name}" and its key ${split.namespace}/${name} differs from the userProvidedId: the next apply would create a second deployment. Rename it in CMA first if you want to keep one`,
      );
    }
    const unique = uniqueName(name, usedDeployments);
    if (unique !== name)
      note(
        ["user_provided_deployment_id"],
        `metadata.name "${name}" is taken by another deployment; named "${unique}"`,
      );
    const manifest = convertDeployment(d.definition, {
      name: unique,
      model: model.name,
      modelDefinition: p.m.definition,
      targetType: DR_TARGET_TYPE[p.m.definition.target_type] as TargetType,
      note,
    });
    if (manifest === null) return;
    const where = d.at.length === 0 ? "" : ` (item ${String(d.at[0])})`;
    const header = [
      `Converted from ${repoPath(repo.dir, d.file)}${where}, a custom-models-action deployment`,
      `definition; on DataRobot its userProvidedId is ${id}.`,
      `It serves ${model.name}'s latest version directly, as CMA deployed it.`,
    ];
    const notedSettings = [...new Set(noted)];
    if (notedSettings.length > 0)
      header.push(`Not carried over exactly (see the import report): ${notedSettings.join(", ")}.`);
    append(model.manifest, yamlText(manifest, header));
    deployments.push({ userProvidedId: id, name: unique, model: model.name, manifest: model.manifest });
  });
  for (const file of files) {
    const more = extra.get(file.path);
    if (more !== undefined) file.content = [file.content, ...more].join("---\n");
  }

  const manifestsDir = join(outDir, "manifests");
  files.push({
    path: configFile,
    content: projectConfig(split.namespace, cmaNs, namespaceSource, projectRoot, manifestsDir),
  });
  return {
    files,
    namespace: split.namespace,
    cmaNamespace: cmaNs,
    namespaceSource,
    models,
    deployments,
    registeredModels,
    report,
    problems,
  };
}

function resolveNamespace(
  options: ConvertOptions,
  repo: CmaRepository,
): { namespace: string; source: ConversionResult["namespaceSource"] } {
  if (options.namespace !== undefined && options.namespace !== "")
    return { namespace: cmaNamespace(options.namespace), source: "option" };
  const where = repo.workflowSteps.map((s) => `${repoPath(repo.dir, s.file)}:${s.line}`).join(", ");
  const byDefault =
    "CMA's default namespace is the GitHub repository's numeric id (GITHUB_REPOSITORY_ID): pass it with --namespace (e.g. `gh api repos/OWNER/REPO --jq .id`)";
  if (repo.workflowSteps.length === 0)
    throw new DrgitopsError(
      "cma-namespace",
      `no workflow under .github/workflows runs custom-models-action, so its namespace is unknown: pass the action's namespace input with --namespace; ${byDefault}`,
    );
  const values = [...new Set(repo.workflowSteps.map((s) => s.namespace ?? null))];
  if (values.length > 1)
    throw new DrgitopsError(
      "cma-namespace",
      `the workflow steps running custom-models-action (${where}) use different namespaces (${values.map((v) => v ?? "the default").join(", ")}); convert one at a time with --namespace`,
    );
  const value = values[0] ?? null;
  if (value === null)
    throw new DrgitopsError(
      "cma-namespace",
      `custom-models-action runs without a namespace input (${where}); ${byDefault}`,
    );
  if (value.includes("${{"))
    throw new DrgitopsError(
      "cma-namespace",
      `the namespace input of custom-models-action (${where}) is an expression, ${value}: pass its value with --namespace`,
    );
  return { namespace: cmaNamespace(value), source: "workflow" };
}

function projectConfig(
  namespace: string,
  cmaNs: string,
  source: ConversionResult["namespaceSource"],
  projectRoot: string,
  manifestsDir: string,
): string {
  const moved = namespace.slice(cmaNs.length - 1).replace(/^\//, "");
  return yamlText({ namespace, paths: [sourcePath(projectRoot, manifestsDir)] }, [
    "Written by `drgitops import --from-cma` from a custom-models-action repository.",
    `CMA's namespace was "${cmaNs}" (${source === "option" ? "given with --namespace" : "its workflow's namespace input"})${moved ? `; the folder${moved.includes("/") ? "s" : ""} "${moved}/" that every model id shares moved into drgitops' namespace` : ""},`,
    "so each key <namespace>/<metadata.name> is the userProvidedId CMA gave the model.",
  ]);
}

interface ModelInput {
  id: string;
  name: string;
  manifest: string;
  workspace: string;
  projectRoot: string;
  generated: string[];
  note: (setting: FieldPath, reason: string) => void;
  /** A CMA deployment definition of this repository serves the model. */
  deployed: boolean;
}

interface ConvertedOne {
  manifest: string | null;
  cmaFiles: string[];
  problems: string[];
}

/** Everything of one CMA model definition that drgitops can hold, as a CustomModel manifest. */
async function convertModel(m: CmaModelDefinition, input: ModelInput): Promise<ConvertedOne> {
  const def = m.definition;
  const noted: string[] = [];
  const note: Note = (setting, reason) => {
    noted.push(settingName(setting));
    input.note(setting, reason);
  };
  const cmaType = def.target_type;
  const targetType = DR_TARGET_TYPE[cmaType] as TargetType;
  const settings = def.settings;
  const version = def.version;
  const spec: Record<string, unknown> = {};
  const refuse = (reason: string): ConvertedOne => {
    note(["target_type"], `not converted: ${reason}`);
    return { manifest: null, cmaFiles: [], problems: [] };
  };

  if (isCmaUnstructured(cmaType) && targetType !== "Unstructured")
    note(
      ["target_type"],
      `CMA creates it as an unstructured model (targetType ${targetType}, isUnstructuredModelKind: true); drgitops has no such flag and treats it as a structured ${targetType} model: a test needs a dataset, holdout data is a partition column`,
    );

  if (settings.name.length > 255)
    note(
      ["settings", "name"],
      "longer than drgitops' displayName (255 characters); left out, the model keeps its name",
    );
  else spec.displayName = settings.name;
  if (settings.description !== undefined) {
    if (settings.description.length > 10000)
      note(["settings", "description"], "longer than drgitops' description (10000 characters); left out");
    else spec.description = settings.description;
  }
  spec.targetType = targetType;
  if (NEEDS_TARGET_NAME.has(targetType)) spec.targetName = settings.target_name;
  else
    note(
      ["settings", "target_name"],
      `DataRobot ignores a target name for ${targetType} models (drgitops warns about one); left out`,
    );

  if (isCmaBinary(cmaType)) {
    if (settings.positive_class_label === settings.negative_class_label)
      return refuse(`its class labels are both "${settings.positive_class_label}", which drgitops refuses`);
    spec.positiveClassLabel = settings.positive_class_label;
    spec.negativeClassLabel = settings.negative_class_label;
  } else {
    for (const key of ["positive_class_label", "negative_class_label"] as const)
      if (settings[key] !== undefined)
        note(
          ["settings", key],
          `class labels apply to Binary models only, and CMA does not send it for ${cmaType}`,
        );
  }
  if (settings.prediction_threshold !== undefined)
    note(
      ["settings", "prediction_threshold"],
      `CMA sends a prediction threshold only for Regression models; drgitops sets it only on Binary models, so it is left out (the model keeps the value DataRobot has)`,
    );
  if (isCmaMulticlass(cmaType)) {
    const raw = settings.class_labels ?? [];
    const scalar = raw.every((l) => typeof l === "string" || typeof l === "number" || typeof l === "boolean");
    const labels = scalar ? raw.map((l) => String(l)) : [];
    if (!scalar || new Set(labels).size < 2 || new Set(labels).size !== labels.length)
      return refuse("drgitops needs class_labels to be at least 2 distinct strings");
    if (raw.some((l) => typeof l !== "string"))
      note(
        ["settings", "class_labels"],
        "CMA sends the non-string labels as they are; drgitops sends them as strings",
      );
    spec.classLabels = labels;
  } else if (settings.class_labels !== undefined) {
    note(
      ["settings", "class_labels"],
      `class labels apply to Multiclass models only; CMA does not send them for ${cmaType}`,
    );
  }
  if (settings.language !== undefined) spec.language = settings.language;
  for (const key of ["training_dataset_id", "partitioning_column", "holdout_dataset_id"] as const)
    if (settings[key] !== undefined)
      note(
        ["settings", key],
        "model-level training data (CMA's settings section, DataRobot's older model-level assignment): drgitops sets training data per version (spec.trainingData), and adding it would make a new version; add it when you want one",
      );

  spec.environment = {
    id: version.model_environment_id,
    ...(version.model_environment_version_id !== undefined
      ? { versionId: version.model_environment_version_id }
      : {}),
  };

  const source = await convertSource({
    workspace: input.workspace,
    modelRoot: m.modelRoot,
    include: version.include_glob_pattern ?? [],
    exclude: version.exclude_glob_pattern ?? [],
    projectRoot: input.projectRoot,
    generated: input.generated,
  });
  for (const n of source.notes) note(n.setting, n.reason);
  const result = (manifest: string | null): ConvertedOne => ({
    manifest,
    cmaFiles: source.cmaFiles.map((f) => f.uploadPath),
    problems: source.problems,
  });
  if (!isInside(input.projectRoot, source.folder)) {
    note(
      ["version"],
      `not converted: the model's folder ${source.folder} is outside drgitops' project root ${input.projectRoot}`,
    );
    return result(null);
  }
  spec.source = { path: sourcePath(dirname(input.manifest), source.folder), ...source.filter };

  const resources = convertResources(version, note);
  if (Object.keys(resources).length > 0) spec.resources = resources;
  Object.assign(spec, convertTrainingData(def, targetType, note));
  if (version.model_replacement_reason !== undefined && !input.deployed)
    note(
      ["version", "model_replacement_reason"],
      "used when a deployment's model is replaced, and no deployment definition of this repository serves the model; left out (each Deployment of it takes it as spec.replacementReason)",
    );
  const test = convertTest(def, targetType, note);
  if (test !== undefined) spec.test = test;

  const manifest = { apiVersion: "drgitops/v1", kind: "CustomModel", metadata: { name: input.name }, spec };
  const valid = CustomModelManifestSchema.safeParse(manifest);
  if (!valid.success) {
    note(
      ["target_type"],
      `not converted: the manifest would be invalid (${valid.error.issues[0]?.message ?? "?"})`,
    );
    return result(null);
  }
  return result(manifestText(manifest, m, input, noted));
}

type Note = ModelInput["note"];

function convertMemory(memory: CmaMemory, at: FieldPath, note: Note): string | number | undefined {
  if (!Number.isSafeInteger(memory.bytes) || memory.bytes <= 0) {
    note(
      at,
      `${memory.written} is ${memory.bytes} bytes, not a whole number of bytes drgitops accepts; left out`,
    );
    return undefined;
  }
  return typeof memory.written === "string" && parseMemory(memory.written) === memory.bytes
    ? memory.written
    : memory.bytes;
}

function convertResources(version: CmaModel["version"], note: Note): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (version.memory !== undefined) {
    const memory = convertMemory(version.memory, ["version", "memory"], note);
    if (memory !== undefined) out.memory = memory;
  }
  if (version.replicas !== undefined) {
    if (version.replicas > 100) note(["version", "replicas"], "more than drgitops allows (100); left out");
    else out.replicas = version.replicas;
  }
  if (version.egress_network_policy !== undefined) out.networkEgressPolicy = version.egress_network_policy;
  return out;
}

/** CMA's version-level training data (`create_version_from_latest_with_training_and_holdout_data`). */
function convertTrainingData(def: CmaModel, targetType: TargetType, note: Note): Record<string, unknown> {
  const v = def.version;
  const cmaUnstructured = isCmaUnstructured(def.target_type);
  const out: Record<string, unknown> = {};
  if (v.training_dataset_id === undefined) {
    for (const key of ["partitioning_column", "holdout_dataset_id"] as const)
      if (v[key] !== undefined)
        note(
          ["version", key],
          "without version.training_dataset_id CMA sends no usable training data; left out",
        );
    return out;
  }
  const training: Record<string, unknown> = { dataset: { id: v.training_dataset_id } };
  if (v.partitioning_column !== undefined) {
    if (cmaUnstructured)
      note(
        ["version", "partitioning_column"],
        "CMA ignores a partition column for unstructured models; left out",
      );
    else training.partitionColumn = v.partitioning_column;
  }
  out.trainingData = training;
  if (v.holdout_dataset_id !== undefined) {
    if (targetType === "Unstructured") out.holdoutData = { dataset: { id: v.holdout_dataset_id } };
    else if (cmaUnstructured)
      note(
        ["version", "holdout_dataset_id"],
        `drgitops takes a holdout dataset only for Unstructured models, and this one is ${targetType} there; left out (the next apply would make a version without it)`,
      );
    else
      note(
        ["version", "holdout_dataset_id"],
        "CMA ignores a holdout dataset for structured models; left out",
      );
  }
  return out;
}

type CmaCheck = { enabled: boolean; block_deployment_if_fails: boolean };
const modeOf = (check: CmaCheck | undefined): "fail" | "warn" | "skip" =>
  check?.enabled ? (check.block_deployment_if_fails ? "fail" : "warn") : "skip";

/**
 * CMA's `_build_tests_configuration` and `_build_tests_parameters`, as drgitops checks. A test CMA
 * skips (or does not have) is no test section: drgitops leaves the model untested (DESIGN.md §3).
 */
function convertTest(def: CmaModel, targetType: TargetType, note: Note): Record<string, unknown> | undefined {
  const test = def.test;
  if (test === undefined) return undefined;
  if (test.skip === true) {
    const skipped = (["test_data_id", "memory", "checks"] as const).filter((k) => test[k] !== undefined);
    if (skipped.length > 0)
      note(
        ["test", "skip"],
        `the test is skipped, so there is no test section (drgitops leaves the model untested); its ${skipped.join(", ")} ${skipped.length === 1 ? "is" : "are"} not kept`,
      );
    return undefined;
  }
  if (test.memory !== undefined)
    note(
      ["test", "memory"],
      "drgitops runs tests with the version's resources; a separate test memory is not supported",
    );
  if (test.test_data_id === undefined && targetType !== "Unstructured") {
    note(
      ["test"],
      `CMA tests this unstructured model without a dataset, and drgitops tests a ${targetType} model only with one (spec.test.dataset): there is no test section, so drgitops leaves the model untested until you add one`,
    );
    return undefined;
  }
  const c = test.checks ?? {};
  const checks: Record<string, unknown> = {
    // CMA always sends these two as "fail".
    errorCheck: "fail",
    longRunningService: "fail",
    nullValueImputation: modeOf(c.null_value_imputation),
    sideEffects: modeOf(c.side_effects),
  };
  const perf = c.performance;
  checks.performance = {
    mode: modeOf(perf),
    ...(perf?.maximum_response_time !== undefined ? { maxResponseTime: perf.maximum_response_time } : {}),
    ...(perf?.max_execution_time !== undefined ? { maxExecutionTime: perf.max_execution_time } : {}),
    ...(perf?.number_of_parallel_users !== undefined
      ? { numParallelUsers: perf.number_of_parallel_users }
      : {}),
  };
  const st = c.stability;
  checks.stability = {
    mode: modeOf(st),
    ...(st?.total_prediction_requests !== undefined ? { numPredictions: st.total_prediction_requests } : {}),
    ...(st?.passing_rate !== undefined ? { passingRate: st.passing_rate / 100 } : {}),
    ...(st?.number_of_parallel_users !== undefined ? { numParallelUsers: st.number_of_parallel_users } : {}),
    ...(st?.minimum_payload_size !== undefined ? { minPayloadSize: st.minimum_payload_size } : {}),
    ...(st?.maximum_payload_size !== undefined ? { maxPayloadSize: st.maximum_payload_size } : {}),
  };
  const pv = c.prediction_verification;
  if (pv !== undefined) {
    const at: FieldPath = ["test", "checks", "prediction_verification"];
    const verification: Record<string, unknown> = {
      mode: modeOf(pv),
      dataset: { id: pv.output_dataset_id },
      predictionsColumn: pv.predictions_column,
    };
    // CMA sends matchingRate only with match_threshold given, and comparisonPrecision only with passing_match_rate.
    const both = pv.match_threshold !== undefined && pv.passing_match_rate !== undefined;
    if (pv.passing_match_rate !== undefined) verification.matchingRate = pv.passing_match_rate / 100;
    if (!both && (pv.match_threshold !== undefined || pv.passing_match_rate !== undefined) && pv.enabled)
      note(
        [...at, pv.match_threshold !== undefined ? "match_threshold" : "passing_match_rate"],
        "CMA reads match_threshold and passing_match_rate only together (one alone stops it with a KeyError)",
      );
    if (pv.match_threshold !== undefined) {
      if (Number.isInteger(pv.match_threshold)) verification.comparisonPrecision = pv.match_threshold;
      else
        note(
          [...at, "match_threshold"],
          `CMA sends match_threshold (${pv.match_threshold}) as comparisonPrecision, the number of decimal places DataRobot compares, which drgitops takes as a whole number; left out`,
        );
    }
    checks.predictionVerification = verification;
  }
  return { ...(test.test_data_id !== undefined ? { dataset: { id: test.test_data_id } } : {}), checks };
}

function manifestText(manifest: object, m: CmaModelDefinition, input: ModelInput, noted: string[]): string {
  const root = resolve(input.workspace);
  const where = m.at.length === 0 ? "" : ` (${settingName(m.at.slice(0, 2))})`;
  const lines = [
    `Converted by \`drgitops import --from-cma\` from ${repoPath(root, m.file)}${where}, a custom-models-action`,
    `definition; on DataRobot the model's userProvidedId is ${input.id}.`,
  ];
  const unique = [...new Set(noted)];
  if (unique.length > 0)
    lines.push(`Not carried over exactly (see the import report): ${unique.join(", ")}.`);
  return yamlText(manifest, lines);
}
