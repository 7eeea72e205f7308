import { readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { cmaUploads } from "./cma-rules.js";
import type { FixtureModel } from "./cma-rules.js";

/**
 * What custom-models-action sends DataRobot on the push that creates a model (dr_client.py,
 * model_controller.py `handle_model_changes`), as raw HTTP: the model with its userProvidedId and
 * settings, a version with every file as a `file` part followed by its `filePath`, the dependency
 * build, version-level training data (a second version, from the latest), and the test.
 */

export interface Api {
  url: string;
  token: string;
}

const SHA = "3f2a9c1d5e7b9a0c2e4f6a8b0c1d3e5f7a9b1c2d";
const GIT_MODEL_VERSION = {
  refName: "main",
  commitUrl: `https://github.com/acme/risk-models/commit/${SHA}`,
  mainBranchCommitSha: SHA,
  pullRequestCommitSha: null,
};

async function call(api: Api, method: string, path: string, body?: unknown): Promise<Response> {
  const isForm = body instanceof FormData;
  return fetch(`${api.url}/${path}`, {
    method,
    // CMA authenticates with the `Token` scheme.
    headers: {
      authorization: `Token ${api.token}`,
      ...(body && !isForm ? { "content-type": "application/json" } : {}),
    },
    ...(body === undefined ? {} : { body: isForm ? body : JSON.stringify(body) }),
    redirect: "manual",
  });
}

async function expectStatus(response: Response, status: number, what: string): Promise<unknown> {
  const text = await response.text();
  if (response.status !== status)
    throw new Error(`${what}: HTTP ${response.status} (CMA requires ${status}): ${text}`);
  return text === "" ? null : (JSON.parse(text) as unknown);
}

/** `_wait_for_async_resolution`: poll the status URL until its 303, then GET the target. */
async function resolveAsync(api: Api, location: string): Promise<unknown> {
  for (let i = 0; i < 100; i++) {
    const response = await fetch(location, {
      headers: { authorization: `Token ${api.token}` },
      redirect: "manual",
    });
    if (response.status === 303) {
      const target = await fetch(response.headers.get("location")!, {
        headers: { authorization: `Token ${api.token}` },
      });
      return target.json();
    }
    const data = (await response.json()) as { status: string };
    if (/^(abort|error)/i.test(data.status)) throw new Error(`async task failed: ${JSON.stringify(data)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${location}`);
}

/** `MemoryConvertor.to_bytes` for the units the fixtures use. */
function bytes(memory: unknown): number {
  const match = /^(\d+)(Mi|Gi)?$/.exec(String(memory));
  if (!match) throw new Error(`unexpected memory ${String(memory)}`);
  return Number(match[1]) * (match[2] === "Gi" ? 2 ** 30 : match[2] === "Mi" ? 2 ** 20 : 1);
}

/** CMA's DrApiTargetType.MAPPING, spelled out again so the e2e never takes the converter's word for it. */
const DR_TARGET: Record<string, string> = {
  Binary: "Binary",
  Regression: "Regression",
  Multiclass: "Multiclass",
  "Anomaly Detection": "Anomaly",
  TextGeneration: "TextGeneration",
  "Unstructured (Binary)": "Binary",
  "Unstructured (Regression)": "Regression",
  "Unstructured (Multiclass)": "Multiclass",
  "Unstructured (Other)": "Unstructured",
};

const CHECKS: Record<string, string> = {
  null_value_imputation: "nullValueImputation",
  side_effects: "sideEffects",
  prediction_verification: "predictionVerificationCheck",
  performance: "performanceCheck",
  stability: "stabilityCheck",
};

/** `_get_performance_check_params`, `_get_stability_check_params`: CMA's key → DataRobot's. */
const PARAMETERS: Record<string, Record<string, string>> = {
  performance: {
    maximum_response_time: "maxResponseTime",
    max_execution_time: "maxExecutionTime",
    number_of_parallel_users: "numParallelUsers",
  },
  stability: {
    total_prediction_requests: "numPredictions",
    passing_rate: "passingRate",
    number_of_parallel_users: "numParallelUsers",
    minimum_payload_size: "minPayloadSize",
    maximum_payload_size: "maxPayloadSize",
  },
};

type Check = Record<string, number | string | boolean> & {
  enabled: boolean;
  block_deployment_if_fails: boolean;
};

/** `_build_tests_configuration` and `_build_tests_parameters`. */
function testRequest(checks: Record<string, Check> | undefined): {
  configuration: object;
  parameters: object;
} {
  const configuration: Record<string, string> = { longRunningService: "fail", errorCheck: "fail" };
  for (const [local, remote] of Object.entries(CHECKS)) {
    const c = checks?.[local];
    configuration[remote] = c?.enabled ? (c.block_deployment_if_fails ? "fail" : "warn") : "skip";
  }
  const parameters: Record<string, object> = {};
  for (const [name, c] of Object.entries(checks ?? {})) {
    if (!c.enabled) continue;
    const p: Record<string, unknown> = {};
    if (name === "prediction_verification") {
      p.datasetId = c.output_dataset_id;
      p.predictionsColumn = c.predictions_column;
      if ("match_threshold" in c) p.matchingRate = Number(c.passing_match_rate) / 100;
      if ("passing_match_rate" in c) p.comparisonPrecision = c.match_threshold;
    } else {
      for (const [k, v] of Object.entries(PARAMETERS[name] ?? {}))
        if (k in c) p[v] = k.endsWith("passing_rate") ? Number(c[k]) / 100 : c[k];
    }
    if (Object.keys(p).length > 0) parameters[CHECKS[name]!] = p;
  }
  return { configuration, parameters };
}

export interface CmaCreated {
  userProvidedId: string;
  modelId: string;
  /** The `filePath`s uploaded. */
  files: string[];
}

/** One model's first push through CMA. `namespace` is CMA's, with its trailing slash. */
export async function cmaCreatesModel(
  api: Api,
  repoDir: string,
  namespace: string,
  model: FixtureModel,
): Promise<CmaCreated> {
  const { settings, version, test } = model.definition;
  const targetType = model.definition.target_type;
  const userProvidedId = model.id.startsWith(namespace) ? model.id : `${namespace}${model.id}`;
  const payload: Record<string, unknown> = {
    customModelType: "inference",
    targetType: DR_TARGET[targetType],
    targetName: settings.target_name,
    isUnstructuredModelKind: targetType.startsWith("Unstructured"),
    userProvidedId,
    gitModelVersion: GIT_MODEL_VERSION,
    name: settings.name,
  };
  if (settings.description) payload.description = settings.description;
  if (settings.language) payload.language = settings.language;
  if (/Regression/.test(targetType) && settings.prediction_threshold !== undefined)
    payload.predictionThreshold = settings.prediction_threshold;
  else if (/Binary/.test(targetType))
    Object.assign(payload, {
      positiveClassLabel: settings.positive_class_label,
      negativeClassLabel: settings.negative_class_label,
    });
  else if (/Multiclass/.test(targetType)) payload.classLabels = settings.class_labels;
  if (version.training_dataset_id !== undefined) payload.isTrainingDataForVersionsPermanentlyEnabled = true;
  const created = (await expectStatus(
    await call(api, "POST", "customModels/", payload),
    201,
    "create model",
  )) as {
    id: string;
  };

  const uploads = await cmaUploads(
    repoDir,
    model.modelDir,
    version.include_glob_pattern ?? [],
    version.exclude_glob_pattern ?? [],
  );
  const form = new FormData();
  form.append("isMajorUpdate", "False");
  form.append("gitModelVersion", JSON.stringify(GIT_MODEL_VERSION));
  for (const u of uploads) {
    const absolute = u.fromRoot ? join(repoDir, u.path) : join(model.modelDir, u.path);
    form.append("file", new Blob([await readFile(absolute)]), u.path);
    form.append("filePath", u.path);
  }
  form.append("baseEnvironmentId", version.model_environment_id);
  if (version.model_environment_version_id)
    form.append("baseEnvironmentVersionId", String(version.model_environment_version_id));
  if (version.memory !== undefined) form.append("maximumMemory", String(bytes(version.memory)));
  if (version.replicas !== undefined) form.append("replicas", String(version.replicas));
  if (version.egress_network_policy !== undefined)
    form.append("networkEgressPolicy", String(version.egress_network_policy));
  let latest = (await expectStatus(
    await call(api, "POST", `customModels/${created.id}/versions/`, form),
    201,
    "create version",
  )) as { id: string; dependencies: unknown[] };

  const versionPath = `customModels/${created.id}/versions/${latest.id}/`;
  if (latest.dependencies.length > 0) {
    await expectStatus(await call(api, "POST", `${versionPath}dependencyBuild/`), 202, "dependency build");
    for (;;) {
      const build = (await (await call(api, "GET", `${versionPath}dependencyBuild/`)).json()) as {
        buildStatus: string;
      };
      if (build.buildStatus === "success") break;
      if (build.buildStatus === "failed") throw new Error(`dependency build failed for ${userProvidedId}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  if (version.training_dataset_id !== undefined) {
    const unstructured = targetType.startsWith("Unstructured");
    const response = await call(api, "PATCH", `customModels/${created.id}/versions/withTrainingData/`, {
      trainingData: { datasetId: version.training_dataset_id },
      // Python's None: `{partitionColumn: null}` when the definition has no partitioning column.
      holdoutData: unstructured
        ? { datasetId: version.holdout_dataset_id ?? null }
        : { partitionColumn: version.partitioning_column ?? null },
      gitModelVersion: GIT_MODEL_VERSION,
    });
    if (response.status !== 202)
      throw new Error(`training data: HTTP ${response.status}: ${await response.text()}`);
    latest = (await resolveAsync(api, response.headers.get("location")!)) as typeof latest;
  }

  if (test !== undefined && test.skip !== true) {
    const { configuration, parameters } = testRequest(test.checks as Record<string, Check> | undefined);
    const body: Record<string, unknown> = {
      customModelId: created.id,
      customModelVersionId: latest.id,
      configuration,
    };
    if (Object.keys(parameters).length > 0) body.parameters = parameters;
    if (test.test_data_id) body.datasetId = test.test_data_id;
    if (test.memory !== undefined) body.maximumMemory = bytes(test.memory);
    const response = await call(api, "POST", "customModelTests/", body);
    if (response.status !== 202) throw new Error(`test: HTTP ${response.status}: ${await response.text()}`);
    const result = (await resolveAsync(api, response.headers.get("location")!)) as { overallStatus: string };
    if (result.overallStatus === "failed") throw new Error(`the CMA test of ${userProvidedId} failed`);
  }
  return { userProvidedId, modelId: created.id, files: uploads.map((u) => u.path) };
}

/** CMA expects datasets in the AI catalogue already: upload one and return its id. */
export async function uploadDataset(api: Api, file: string): Promise<string> {
  const form = new FormData();
  form.append("file", new Blob([await readFile(file)]), basename(file));
  const response = await call(api, "POST", "datasets/fromFile/", form);
  const body = (await expectStatus(response, 202, "dataset upload")) as { catalogId: string };
  await resolveAsync(api, response.headers.get("location")!);
  return body.catalogId;
}

/** The version count of a model, straight from the API. */
export async function versionCount(api: Api, modelId: string): Promise<number> {
  const page = (await (await call(api, "GET", `customModels/${modelId}/versions/?limit=1000`)).json()) as {
    totalCount: number;
  };
  return page.totalCount;
}

/** A CMA deployment definition, as the fixtures write it (CMA's DeploymentSchema). */
export interface CmaDeploymentDefinition {
  user_provided_deployment_id: string;
  user_provided_model_id: string;
  prediction_environment_name?: string;
  settings?: {
    label?: string;
    description?: string;
    importance?: string;
    association?: { association_id_column?: string; required_in_pred_request?: boolean };
    enable_target_drift?: boolean;
    enable_feature_drift?: boolean;
    enable_predictions_collection?: boolean;
    enable_challenger_models?: boolean;
    segment_analysis?: { enabled: boolean; attributes?: string[] };
  };
}

/** `model_registry` of a model: CMA registers the version (a package with `registeredModelName`), then PATCHes the rest. */
export async function cmaRegistersVersion(
  api: Api,
  modelId: string,
  registry: { model_name?: string; model_description?: string; global?: boolean },
): Promise<void> {
  const model = (await (await call(api, "GET", `customModels/${modelId}/`)).json()) as {
    latestVersion: { id: string };
  };
  const response = await call(api, "POST", "modelPackages/fromCustomModelVersion/", {
    customModelVersionId: model.latestVersion.id,
    registeredModelName: registry.model_name,
  });
  const pkg = (await expectStatus(response, 201, "register version")) as { registeredModelId: string };
  await resolveAsync(api, response.headers.get("location")!);
  const patch: Record<string, unknown> = {};
  if (registry.model_description !== undefined) patch.description = registry.model_description;
  if (registry.global !== undefined) patch.isGlobal = registry.global;
  if (Object.keys(patch).length > 0)
    await expectStatus(
      await call(api, "PATCH", `registeredModels/${pkg.registeredModelId}/`, patch),
      200,
      "update registered model",
    );
}

/**
 * A deployment's first push through CMA (deployment_controller.py): a package of the model's
 * latest version, the prediction environment found by search, the deployment with its
 * userProvidedId, then the description and the settings sections it differs in. CMA also uploads
 * actuals when the definition names a dataset; the fixture's placeholder id is not in the catalogue,
 * and drgitops does not manage actuals, so that request is left out.
 */
export async function cmaCreatesDeployment(
  api: Api,
  namespace: string,
  definition: CmaDeploymentDefinition,
  modelId: string,
): Promise<{ userProvidedId: string; deploymentId: string }> {
  const settings = definition.settings ?? {};
  const id = definition.user_provided_deployment_id;
  const userProvidedId = id.startsWith(namespace) ? id : `${namespace}${id}`;
  const model = (await (await call(api, "GET", `customModels/${modelId}/`)).json()) as {
    latestVersion: { id: string };
  };
  const created = await call(api, "POST", "modelPackages/fromCustomModelVersion/", {
    customModelVersionId: model.latestVersion.id,
  });
  const pkg = (await expectStatus(created, 201, "create package")) as {
    id: string;
    target: { name: string | null };
  };
  await resolveAsync(api, created.headers.get("location")!);
  const search = definition.prediction_environment_name
    ? `&search=${definition.prediction_environment_name}`
    : "";
  const environments = (await (
    await call(api, "GET", `predictionEnvironments/?supportedModelFormats=customModel${search}`)
  ).json()) as { data: { id: string }[] };
  const body: Record<string, unknown> = {
    userProvidedId,
    modelPackageId: pkg.id,
    // Python's f-string: None when the package has no target name.
    label: settings.label ?? `${pkg.target.name ?? "None"} Predictions [GitHub CI/CD]`,
    predictionEnvironmentId: environments.data[0]!.id,
  };
  if (settings.importance !== undefined) body.importance = settings.importance;
  const response = await call(api, "POST", "deployments/fromModelPackage/", body);
  const { id: deploymentId } = (await expectStatus(response, 202, "create deployment")) as { id: string };
  await resolveAsync(api, response.headers.get("location")!);
  if (settings.description !== undefined)
    await expectStatus(
      await call(api, "PATCH", `deployments/${deploymentId}/`, { description: settings.description }),
      204,
      "update deployment",
    );
  const challengers = settings.enable_challenger_models ?? true;
  const patch: Record<string, unknown> = { challengerModels: { enabled: challengers } };
  if (challengers) patch.predictionsDataCollection = { enabled: true };
  else if (settings.enable_predictions_collection !== undefined)
    patch.predictionsDataCollection = { enabled: settings.enable_predictions_collection };
  if (settings.enable_target_drift !== undefined)
    patch.targetDrift = { enabled: settings.enable_target_drift };
  if (settings.enable_feature_drift !== undefined)
    patch.featureDrift = { enabled: settings.enable_feature_drift };
  const association = settings.association;
  if (association?.association_id_column !== undefined)
    patch.associationId = {
      columnNames: [association.association_id_column],
      requiredInPredictionRequests: association.required_in_pred_request ?? false,
    };
  if (settings.segment_analysis !== undefined)
    patch.segmentAnalysis = {
      enabled: settings.segment_analysis.enabled,
      attributes: settings.segment_analysis.attributes ?? [],
    };
  const patched = await call(api, "PATCH", `deployments/${deploymentId}/settings/`, patch);
  await expectStatus(patched, 202, "update settings");
  await resolveAsync(api, patched.headers.get("location")!);
  return { userProvidedId, deploymentId };
}
