import { readFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { parse } from "yaml";
import {
  isNotFound,
  type CustomModel,
  type CustomModelVersion,
  type DataRobotClient,
} from "../client/index.js";
import { DrgitopsError } from "../errors.js";
import { tagsFromWire } from "../kinds/custom-model/fields.js";
import {
  CUSTOM_MODEL,
  CustomModelManifestSchema,
  TARGET_TYPES,
  type RuntimeValue,
  type TargetType,
} from "../kinds/custom-model/schema.js";
import { liveEnvironment } from "../kinds/execution-environment/live.js";
import { listedBuildFor } from "../kinds/execution-environment/plan.js";
import { parseDescription, stripTrailer } from "../reconcile/trailer.js";
import { formatMemory } from "../spec/schema/memory.js";
import { ModelMetadataSchema, type RuntimeParameterDefinition } from "../spec/schema/model-metadata.js";
import { stageArchive, type Staged } from "./download.js";
import type { ImportProject } from "./project.js";
import { refuseDuplicateName } from "./project.js";
import { importedValue } from "./runtime-values.js";
import { checkManifest, yamlText } from "./yaml.js";

/**
 * `drgitops import MODEL_ID --name NAME` (DESIGN.md §13): a model made elsewhere (UI, notebook)
 * becomes a manifest with every setting DataRobot returns and its latest version's files, such that
 * the next plan finds the latest version equal to it; then the model is adopted into the namespace.
 */

/** Refused before anything is written: the model is not one drgitops may take over. */
export class ImportRefused extends DrgitopsError {
  constructor(message: string) {
    super("import-refused", message);
  }
}

const NEEDS_TARGET_NAME: ReadonlySet<string> = new Set([
  "Binary",
  "Regression",
  "Multiclass",
  "TextGeneration",
]);

/** What an import of one model writes and does; built before anything is written (and shown by --dry-run). */
export interface PreparedModel {
  model: CustomModel;
  version: CustomModelVersion;
  name: string;
  key: string;
  manifest: { path: string; content: string };
  /** The version's files, staged; `folder` is their target. */
  folder: string;
  staged: Staged;
  /** The userProvidedId the model has now; adoption sets it to `key` unless it is already. */
  userProvidedId: string | null;
  /** Said on stderr and in the manifest's header: what was not carried over exactly, and why. */
  notes: string[];
}

/** Reads once what every model of an import needs: credentials by id, and the models (ownership). */
export interface ImportLive {
  client: DataRobotClient;
  credentialNames: Map<string, string>;
  models: CustomModel[];
  signal?: AbortSignal | undefined;
}

export async function readImportLive(client: DataRobotClient, signal?: AbortSignal): Promise<ImportLive> {
  const credentialNames = new Map<string, string>();
  for await (const c of client.credentials.listAll(signal)) credentialNames.set(c.credentialId, c.name);
  const models: CustomModel[] = [];
  for await (const m of client.customModels.listAll({ limit: 1000 }, signal)) models.push(m);
  return { client, credentialNames, models, signal };
}

/** Why drgitops leaves this model alone in `--all`, or undefined when it is free to import. */
export function notImportable(m: CustomModel, namespace: string): string | undefined {
  const trailer = parseDescription(m.description).trailer;
  if (m.userProvidedId?.startsWith(`${namespace}/`))
    return `already managed in ${namespace} as ${m.userProvidedId}`;
  if (trailer) return `managed by drgitops as ${trailer.key}`;
  if (m.userProvidedId)
    return `has userProvidedId ${m.userProvidedId}, set by another tool (custom-models-action: use import --from-cma; or import it by id to take it over)`;
  if (!m.latestVersion) return "has no version (nothing to import)";
  if (!(TARGET_TYPES as readonly string[]).includes(m.targetType))
    return `is a ${m.targetType} model, which drgitops does not manage`;
  return undefined;
}

/** The model by id; an unknown id is a clear error (exit 1), not an API trace. */
export async function fetchModel(live: ImportLive, id: string): Promise<CustomModel> {
  try {
    return await live.client.customModels.get(id, live.signal);
  } catch (error) {
    if (isNotFound(error))
      throw new DrgitopsError(
        "model-not-found",
        `no custom model has id ${id} on this DataRobot; check the id (the model's URL ends with it)`,
        { cause: error },
      );
    throw error;
  }
}

/** Refuses a model another drgitops namespace, another model's key or drgitops' own rules stand in the way of. */
function checkOwnership(
  m: CustomModel,
  key: string,
  namespace: string,
  live: ImportLive,
  notes: string[],
): void {
  const trailer = parseDescription(m.description).trailer;
  if (trailer && trailer.key !== key)
    throw new ImportRefused(
      `model ${m.id} is managed by drgitops as ${trailer.key}; it is imported only under that key (and namespace)`,
    );
  if (m.userProvidedId && m.userProvidedId !== key) {
    if (m.userProvidedId.startsWith(`${namespace}/`))
      throw new ImportRefused(
        `model ${m.id} is already in ${namespace} as ${m.userProvidedId}; import it with --name ${m.userProvidedId.slice(namespace.length + 1)}`,
      );
    notes.push(
      `its userProvidedId was ${m.userProvidedId} (another tool's, e.g. custom-models-action): adoption replaces it with ${key}, so that tool no longer finds the model`,
    );
  }
  const other = live.models.find((o) => o.id !== m.id && o.userProvidedId === key);
  if (other)
    throw new ImportRefused(
      `model ${other.id} already has the key ${key} as its userProvidedId; choose another --name`,
    );
  if (!(TARGET_TYPES as readonly string[]).includes(m.targetType))
    throw new ImportRefused(
      `model ${m.id} is a ${m.targetType} model; drgitops manages ${TARGET_TYPES.join(", ")} models`,
    );
  if (!m.latestVersion) throw new ImportRefused(`model ${m.id} has no version: there is nothing to import`);
  if (m.latestVersion.items.length === 0)
    throw new ImportRefused(
      `the latest version of model ${m.id} has no files; drgitops needs at least the model's code`,
    );
}

/** Prepares the import of `model` as `name`: downloads and stages its files, writes nothing in place. */
export async function prepareModel(
  p: ImportProject,
  live: ImportLive,
  model: CustomModel,
  name: string,
  options: { dryRun: boolean },
): Promise<PreparedModel> {
  const key = `${p.namespace}/${name}`;
  const manifestPath = join(p.dir, "manifests", `${name}.yaml`);
  refuseDuplicateName(p, CUSTOM_MODEL, name, manifestPath);
  const notes: string[] = [];
  checkOwnership(model, key, p.namespace, live, notes);
  const version = model.latestVersion!;
  const folder = join(p.dir, "models", name);
  const staged = await stageArchive(
    (dest) => live.client.versions.download(model.id, version.id, dest, live.signal),
    folder,
    `the files of version ${version.label ?? version.id} of model ${model.id}`,
    options,
  );
  try {
    const definitions = await metadataDefinitions(staged, notes);
    const spec = await specOf(p, live, model, version, { folder, manifestPath, definitions, notes });
    const manifest = { apiVersion: "drgitops/v1", kind: CUSTOM_MODEL, metadata: { name }, spec };
    checkManifest(CustomModelManifestSchema, manifest, `model ${model.id}`);
    const content = yamlText(manifest, header(model, version, key, folder, manifestPath, notes));
    return {
      model,
      version,
      name,
      key,
      manifest: { path: manifestPath, content },
      folder,
      staged,
      userProvidedId: model.userProvidedId ?? null,
      notes,
    };
  } catch (error) {
    await staged.discard();
    throw error;
  }
}

function header(
  m: CustomModel,
  v: CustomModelVersion,
  key: string,
  folder: string,
  manifestPath: string,
  notes: readonly string[],
): string[] {
  const lines = [
    `Imported by \`drgitops import ${m.id}\` from the DataRobot custom model "${m.name}",`,
    `version ${v.label ?? `${v.versionMajor}.${v.versionMinor}`} (${v.id}); its files are in ${posixRelative(dirname(manifestPath), folder)}/.`,
    `Adoption: its userProvidedId is ${key} (set by PATCH, API.md §1.2): plan finds it by this key.`,
    "No test section: drgitops runs no test for it and no gate holds its versions (add spec.test).",
  ];
  for (const n of notes) lines.push(`Note: ${n}.`);
  return lines;
}

function posixRelative(from: string, to: string): string {
  const rel = relative(from, to).split("\\").join("/");
  return rel.startsWith(".") ? rel : `./${rel}`;
}

/** Definitions of the version's own model-metadata.yaml (none when absent or unreadable). */
async function metadataDefinitions(staged: Staged, notes: string[]): Promise<RuntimeParameterDefinition[]> {
  if (!staged.files.some((f) => f.path === "model-metadata.yaml")) return [];
  try {
    const parsed = ModelMetadataSchema.safeParse(
      parse(await readFile(join(staged.folder, "model-metadata.yaml"), "utf8")),
    );
    if (parsed.success) return parsed.data.runtimeParameterDefinitions ?? [];
  } catch {
    // Reported below, like a schema problem.
  }
  notes.push("its model-metadata.yaml cannot be read as DRUM metadata; `drgitops validate` says why");
  return [];
}

interface SpecInputs {
  folder: string;
  manifestPath: string;
  definitions: RuntimeParameterDefinition[];
  notes: string[];
}

/** The manifest's spec: every model and version setting DataRobot returns that drgitops manages. */
async function specOf(
  p: ImportProject,
  live: ImportLive,
  m: CustomModel,
  v: CustomModelVersion,
  inputs: SpecInputs,
): Promise<Record<string, unknown>> {
  const { notes } = inputs;
  const targetType = m.targetType as TargetType;
  const spec: Record<string, unknown> = { displayName: m.name };
  const description = stripTrailer(m.description);
  if (description !== "") spec.description = description;
  spec.targetType = targetType;
  if (NEEDS_TARGET_NAME.has(targetType)) spec.targetName = m.targetName;
  if (targetType === "Binary") {
    spec.positiveClassLabel = m.positiveClassLabel;
    spec.negativeClassLabel = m.negativeClassLabel;
    if (m.predictionThreshold != null) spec.predictionThreshold = m.predictionThreshold;
  }
  if (targetType === "Multiclass") spec.classLabels = m.classLabels;
  if (m.language !== "") spec.language = m.language;
  spec.environment = await environmentOf(p, live, v, notes);
  spec.source = { path: posixRelative(dirname(inputs.manifestPath), inputs.folder) };
  const resources: Record<string, unknown> = {};
  if (v.resourceBundleId) resources.bundle = v.resourceBundleId;
  else if (v.maximumMemory != null) resources.memory = formatMemory(v.maximumMemory);
  if (v.replicas != null) resources.replicas = v.replicas;
  if (v.networkEgressPolicy != null) resources.networkEgressPolicy = v.networkEgressPolicy;
  if (Object.keys(resources).length > 0) spec.resources = resources;
  const tags = tagsFromWire(m.tags);
  if (Object.keys(tags).length > 0) spec.tags = tags;
  const parameters = runtimeParametersOf(v, inputs.definitions, live.credentialNames, notes);
  if (Object.keys(parameters).length > 0) spec.runtimeParameters = parameters;
  Object.assign(spec, trainingDataOf(m, v, targetType, notes));
  return spec;
}

/**
 * `{ref}` when an ExecutionEnvironment manifest of the project manages the environment (its trailer
 * key) and would resolve to the very version the model runs on; else `{id, versionId}`, so the next
 * plan never moves the model to another environment version.
 */
async function environmentOf(
  p: ImportProject,
  live: ImportLive,
  v: CustomModelVersion,
  notes: string[],
): Promise<Record<string, string>> {
  const id = v.baseEnvironmentId;
  const versionId = v.baseEnvironmentVersionId;
  if (!id || !versionId)
    throw new ImportRefused(`version ${v.id} has no execution environment; drgitops needs one`);
  const pinned = { id, versionId };
  let env;
  try {
    env = liveEnvironment(await live.client.environments.get(id, live.signal));
  } catch (error) {
    if (isNotFound(error)) return pinned;
    throw error;
  }
  const manifest = p.environments.find((e) => e.key === env.key);
  if (manifest === undefined) return pinned;
  if (listedBuildFor(env, manifest.contextDigest)?.id === versionId) return { ref: manifest.name };
  notes.push(
    `its environment is managed by the ExecutionEnvironment manifest ${manifest.name}, but the model runs on version ${versionId}, not the one that manifest builds: kept as {id, versionId} so the next plan makes no new version; write {ref: ${manifest.name}} to follow the manifest`,
  );
  return pinned;
}

function runtimeParametersOf(
  v: CustomModelVersion,
  definitions: readonly RuntimeParameterDefinition[],
  credentialNames: ReadonlyMap<string, string>,
  notes: string[],
): Record<string, RuntimeValue> {
  const out: Record<string, RuntimeValue> = {};
  for (const p of v.runtimeParameters ?? []) {
    const overrideValue = p.overrideValue;
    if (overrideValue === null || overrideValue === undefined) continue;
    const imported = importedValue(
      { fieldName: p.fieldName, type: p.type, overrideValue },
      definitions,
      credentialNames,
    );
    if (imported.kind === "skipped") {
      notes.push(`runtime parameter ${p.fieldName} is not written: ${imported.why}`);
      continue;
    }
    out[p.fieldName] = imported.value;
    if (imported.kind === "withheld")
      notes.push(
        `runtime parameter ${p.fieldName}: the value was not written (${imported.why}); it is read from the environment variable ${p.fieldName}, sensitive: export it with the value it has on DataRobot before \`drgitops plan\``,
      );
  }
  return out;
}

function trainingDataOf(
  m: CustomModel,
  v: CustomModelVersion,
  targetType: TargetType,
  notes: string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const training = v.trainingData?.datasetId;
  if (training) {
    const partition = targetType === "Unstructured" ? undefined : v.holdoutData?.partitionColumn;
    out.trainingData = { dataset: { id: training }, ...(partition ? { partitionColumn: partition } : {}) };
    const holdout = v.holdoutData?.datasetId;
    if (holdout && targetType === "Unstructured") out.holdoutData = { dataset: { id: holdout } };
  } else if (m.trainingDatasetId) {
    notes.push(
      `its training data (${m.trainingDatasetId}) is assigned at the model level (the older API); drgitops sets training data per version, so it is left out: adding spec.trainingData makes a new version`,
    );
  }
  return out;
}
