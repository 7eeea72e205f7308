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
