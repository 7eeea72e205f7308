import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import picomatch from "picomatch";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { convertCmaRepository, readCmaRepository, writeConversion } from "../../src/import/cma/index.js";
import type { ConversionResult } from "../../src/import/cma/index.js";
import { pyGlob } from "../../src/import/cma/glob.js";
import { cmaNamespace, cmaUserProvidedId, splitKeys } from "../../src/import/cma/namespace.js";
import { picomatchSegment } from "../../src/import/cma/patterns.js";
import { loadProject } from "../../src/spec/index.js";
import { resourcesOf } from "../../src/spec/project.js";
import type { DeploymentManifest } from "../../src/kinds/deployment/schema.js";
import type { RegisteredModelManifest } from "../../src/kinds/registered-model/schema.js";
import type { CustomModelManifest } from "../../src/kinds/custom-model/schema.js";
import type { SourceFile } from "../../src/spec/index.js";
import { models as loadedModels } from "../spec/loaded.js";

/** A loaded model as these tests look at it: its key and the files drgitops would upload. */
interface LoadedModel {
  key: string;
  name: string;
  manifest: CustomModelManifest;
  files: SourceFile[] | undefined;
}
import { cmaUploads, fixtureModels } from "./cma-rules.js";

const FIXTURES = resolve(import.meta.dirname, "../fixtures/cma");
/** The definition files of each fixture repository, as CMA's scan finds them. */
const RISK_DEFINITIONS = [
  "models/fraud_detector/model.yaml",
  "models/house_prices/model.yaml",
  "definitions/models.yaml",
];
const EDGE_DEFINITIONS = [
  "models/scorer/model.yaml",
  "models/segmenter/model.yaml",
  "models/regressor/model.yaml",
  "models/configured/model.yaml",
];
/** What the risk-models team gave CMA: nothing, so CMA used the GitHub repository id. */
const REPOSITORY_ID = "712345678";

const temps: string[] = [];
afterEach(async () => {
  await Promise.all(temps.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** A copy of a fixture repository in a temp folder (outside any git repository). */
async function copyOf(fixture: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `drgitops-cma-${fixture}-`));
  temps.push(dir);
  await cp(join(FIXTURES, fixture), dir, { recursive: true });
  return dir;
}

/**
 * Converts a copy of a fixture, writes it and loads it with drgitops. `refused` lists the models
 * drgitops' validation may refuse, by `code name` (anything else failing validation fails the test).
 */
async function converted(
  fixture: string,
  namespace?: string,
  refused: string[] = [],
): Promise<{ dir: string; result: ConversionResult; models: LoadedModel[] }> {
  const dir = await copyOf(fixture);
  const result = await convertCmaRepository({ dir, outDir: dir, ...(namespace ? { namespace } : {}) });
  await writeConversion(result);
  const loaded = await loadProject({ paths: [], cwd: dir, hash: true });
  const errors = loaded.issues.filter((i) => i.severity === "error").map((i) => `${i.code} ${i.name ?? ""}`);
  expect(errors.sort()).toEqual(refused);
  expect(loaded.ok).toBe(refused.length === 0);
  const models = loadedModels(loaded.project).map((m) => ({
    key: m.key,
    name: m.name,
    manifest: m.manifest,
    files: m.paths["source"]?.files,
  }));
  return { dir, result, models };
}

const settingsOf = (result: ConversionResult): string[] =>
  result.report.map((r) => `${r.model} ${r.setting}`).sort();

describe("reading a custom-models-action repository", () => {
  it("finds single-model files, multi-model lists and deployments, and the workflow step", async () => {
    const dir = await copyOf("risk-models");
    const repo = await readCmaRepository(dir);
    expect(repo.problems).toEqual([]);
    expect(repo.models.map((m) => m.definition.user_provided_model_id).sort()).toEqual([
      "risk-team/churn-classifier",
      "risk-team/fraud-detector",
      "risk-team/house-prices",
      "risk-team/support-tagger",
      "risk-team/transaction-anomalies",
    ]);
    // CMA's own spelling of each model's root: relative to the definition file, or from the repository root.
    const roots = Object.fromEntries(
      repo.models.map((m) => [m.definition.user_provided_model_id, m.modelRoot]),
    );
    expect(roots["risk-team/churn-classifier"]).toBe(`${dir}/definitions/../models/churn`);
    expect(roots["risk-team/transaction-anomalies"]).toBe(`${dir}/models/anomaly`);
    expect(roots["risk-team/support-tagger"]).toBe(`${dir}/models/tagger`);
    expect(roots["risk-team/fraud-detector"]).toBe(join(dir, "models/fraud_detector"));
    expect(repo.deployments.map((d) => d.definition.user_provided_deployment_id).sort()).toEqual([
      "risk-team/churn-prod",
      "risk-team/fraud-detector-prod",
      "risk-team/tagger-prod",
    ]);
    expect(repo.workflowSteps).toEqual([{ file: join(dir, ".github/workflows/workflow.yaml"), line: 27 }]);
  });

  it("refuses what CMA refuses, each problem at its file, line and column", async () => {
    const dir = await copyOf("edge-cases");
    const repo = await readCmaRepository(dir);
    const problems = repo.problems.map(
      (p) => `${p.file.slice(dir.length + 1)}:${p.line}:${p.column} ${p.message}`,
    );
    expect(problems).toEqual([
      // PyYAML reads an unquoted yes/no as a boolean, and CMA wants a string.
      "models/broken/labels.yaml:6:25 settings.positive_class_label: expected a string, got boolean true",
      "models/broken/labels.yaml:7:25 settings.negative_class_label: expected a string, got boolean false",
      'models/broken/model.yaml:3:1 setings: unknown field "setings" (did you mean "settings"?)',
      "models/broken/model.yaml:8:13 version.replicas: CMA requires a whole number",
    ]);
    expect(repo.models.map((m) => m.definition.user_provided_model_id).sort()).toEqual([
      "Scorer_V2",
      "configured",
      "regressor",
      "risk/prod/segmenter",
    ]);
  });

  it("matches names the way Python's glob does", async () => {
    const dir = await mkdtemp(join(tmpdir(), "drgitops-pyglob-"));
    temps.push(dir);
    for (const f of [
      "m/custom.py",
      "m/.env",
      "m/sub/a.py",
      "m/sub/deep/b.txt",
      "m/.hid/x.py",
      "m/README.md",
      "s/s.py",
    ]) {
      await mkdir(join(dir, f, ".."), { recursive: true });
      await writeFile(join(dir, f), "x");
    }
    const glob = async (p: string): Promise<string[]> =>
      (await pyGlob(`${dir}/${p}`)).map((r) => r.slice(dir.length + 1));
    // Each expectation is what CPython 3.11's glob.glob(..., recursive=True) returns on this tree.
    expect(await glob("m/**")).toEqual([
      "m/",
      "m/README.md",
      "m/custom.py",
      "m/sub",
      "m/sub/a.py",
      "m/sub/deep",
      "m/sub/deep/b.txt",
    ]);
    expect(await glob("m/./**")).toContain("m/./sub/a.py");
    expect(await glob("m/../s/**")).toEqual(["m/../s/", "m/../s/s.py"]);
    expect(await glob("m/**/*.py")).toEqual(["m/custom.py", "m/sub/a.py"]);
    expect(await glob("m/[!c]*")).toEqual(["m/README.md", "m/sub"]);
    expect(await glob("m/.*")).toEqual(["m/.env", "m/.hid"]);
    expect(await glob("m/.hid/**")).toEqual(["m/.hid/", "m/.hid/x.py"]);
    expect(await glob("m/**.py")).toEqual(["m/custom.py"]);
    expect(await glob("m/su?/*")).toEqual(["m/sub/a.py", "m/sub/deep"]);
    expect(await glob("m/sub/")).toEqual(["m/sub/"]);
  });

  it("writes Python's glob syntax as picomatch without picomatch's extras", () => {
    const match = (cma: string, name: string): boolean =>
      picomatch(picomatchSegment(cma), { dot: true })(name);
    // Braces are literal for Python; picomatch would expand them.
    expect(match("*.{tmp,bak}", "cache.{tmp,bak}")).toBe(true);
    expect(match("*.{tmp,bak}", "model.tmp")).toBe(false);
    // `[!x]` is fnmatch's negation; picomatch reads `!` there as a character.
    expect(match("[!_]*.py", "custom.py")).toBe(true);
    expect(match("[!_]*.py", "_private.py")).toBe(false);
    // `**` inside a name is `*`, never a globstar.
    expect(picomatch(picomatchSegment("**.py"), { dot: true })("a/b.py")).toBe(false);
    expect(match("+(a)", "+(a)")).toBe(true);
    expect(match("+(a)", "a")).toBe(false);
    expect(match("!x", "!x")).toBe(true);
  });
});

describe("converting a custom-models-action repository", () => {
  it("writes manifests drgitops validates, each keyed by the userProvidedId CMA gave the model", async () => {
    const { result, models } = await converted("risk-models", REPOSITORY_ID);
    // The folder all ids share ("risk-team/") moves into the namespace: names cannot hold a "/".
    expect(result.namespace).toBe(`${REPOSITORY_ID}/risk-team`);
    expect(result.cmaNamespace).toBe(`${REPOSITORY_ID}/`);
    const fixtures = await fixtureModels(join(FIXTURES, "risk-models"), RISK_DEFINITIONS);
    // CMA's Namespace.namespaced: the namespace (with its "/") before each user_provided_model_id.
    expect(models.map((m) => m.key).sort()).toEqual(fixtures.map((f) => `${REPOSITORY_ID}/${f.id}`).sort());
  });

  it("selects exactly the files CMA uploads, under the same paths", async () => {
    const { dir, models } = await converted("risk-models", REPOSITORY_ID);
    const fixtures = await fixtureModels(dir, RISK_DEFINITIONS);
    for (const f of fixtures) {
      const model = models.find((m) => m.key === `${REPOSITORY_ID}/${f.id}`)!;
      const cma = await cmaUploads(
        dir,
        f.modelDir,
        f.definition.version.include_glob_pattern ?? [],
        f.definition.version.exclude_glob_pattern ?? [],
      );
      expect(cma.every((u) => !u.fromRoot)).toBe(true);
      expect({ key: model.key, files: model.files!.map((x) => x.path) }).toEqual({
        key: model.key,
        files: cma.map((u) => u.path),
      });
    }
    // The rules at work: hidden names, `./`, `out/`, a literal folder, `artifacts/*.tmp`, `**/*.py`.
    const files = (name: string): string[] => models.find((m) => m.name === name)!.files!.map((x) => x.path);
    expect(files("fraud-detector")).toEqual(["custom.py", "model.json", "model.yaml", "requirements.txt"]);
    expect(files("house-prices")).toEqual([
      "custom.py",
      "model-metadata.yaml",
      "requirements.txt",
      "weights.json",
    ]);
    expect(files("churn-classifier")).toEqual([
      "artifacts/encoder.json",
      "artifacts/model.json",
      "custom.py",
    ]);
    expect(files("transaction-anomalies")).toEqual(["custom.py", "detector.json", "utils/zscore.py"]);
  });

  it("carries over settings, environment, resources, training data and test checks", async () => {
    const { models } = await converted("risk-models", REPOSITORY_ID);
    const spec = (name: string) => models.find((m) => m.name === name)!.manifest.spec;
    const fraud = spec("fraud-detector");
    expect(fraud).toMatchObject({
      displayName: "Card fraud detector [GitHub CI/CD]",
      description: "Scores card transactions for fraud",
      targetType: "Binary",
      targetName: "is_fraud",
      positiveClassLabel: "1",
      negativeClassLabel: "0",
      language: "Python",
      environment: { id: "5e8c889607389fe0f466c72d" },
      resources: { memory: 512 * 1024 ** 2, replicas: 2, networkEgressPolicy: "NONE" },
      trainingData: { dataset: { id: "627790ba56215587b3021632" }, partitionColumn: "partitioning" },
    });
    // block_deployment_if_fails -> fail, else warn; disabled or absent -> skip; rates in % -> fractions.
    expect(fraud.test).toEqual({
      dataset: { id: "62779143562155aa34a3d65b" },
      checks: {
        errorCheck: "fail",
        longRunningService: "fail",
        nullValueImputation: "fail",
        sideEffects: "fail",
        performance: { mode: "warn", maxResponseTime: 50, maxExecutionTime: 100, numParallelUsers: 3 },
        stability: {
          mode: "fail",
          numPredictions: 50,
          passingRate: 0.95,
          numParallelUsers: 1,
          minPayloadSize: 100,
          maxPayloadSize: 1000,
        },
        predictionVerification: {
          mode: "warn",
          dataset: { id: "627791f5562155d63f367b05" },
          predictionsColumn: "is_fraud",
          matchingRate: 0.85,
        },
      },
    });
    // skip: true: no test section, so drgitops leaves the model untested (no test, no gate).
    expect(spec("house-prices")).not.toHaveProperty("test");
    expect(spec("house-prices").resources).toEqual({
      memory: 256 * 1024 ** 2,
      replicas: 1,
      networkEgressPolicy: "PUBLIC",
    });
    expect(spec("house-prices").trainingData).toEqual({ dataset: { id: "62ef8e053f9b9493db97af11" } });
    expect(spec("house-prices")).not.toHaveProperty("holdoutData");
    expect(spec("churn-classifier")).toMatchObject({
      targetType: "Multiclass",
      classLabels: ["stays", "downgrades", "leaves"],
    });
    expect(spec("churn-classifier").test?.checks).toMatchObject({
      sideEffects: "warn",
      nullValueImputation: "skip",
    });
    expect(spec("transaction-anomalies")).toMatchObject({ targetType: "Anomaly" });
    expect(spec("transaction-anomalies").test).toMatchObject({
      dataset: { id: "62f0f226bc397a932a9c0c44" },
      checks: { nullValueImputation: "warn", sideEffects: "skip" },
    });
    expect(spec("support-tagger")).toMatchObject({
      targetType: "Unstructured",
      trainingData: { dataset: { id: "62f0f226bc397a932a9c0c22" } },
      holdoutData: { dataset: { id: "62f0f226bc397a932a9c0c33" } },
    });
    expect(spec("support-tagger").test?.dataset).toBeUndefined();
  });

  it("reports every setting it does not carry over, at its line in the CMA file", async () => {
    const { dir, result } = await converted("risk-models", REPOSITORY_ID);
    const ns = `${REPOSITORY_ID}/risk-team`;
    expect(settingsOf(result)).toEqual([
      `${ns}/churn-prod prediction_environment_name`,
      `${ns}/churn-prod settings.additional_metadata`,
      `${ns}/churn-prod settings.enable_challenger_models`,
      `${ns}/churn-prod settings.segment_analysis`,
      `${ns}/fraud-detector test.checks.prediction_verification.match_threshold`,
      `${ns}/fraud-detector test.memory`,
      `${ns}/fraud-detector-prod settings.association.actual_values_column`,
      `${ns}/fraud-detector-prod settings.association.actuals_dataset_id`,
      `${ns}/fraud-detector-prod user_provided_deployment_id`,
      `${ns}/house-prices test.skip`,
      `${ns}/support-tagger settings.target_name`,
      `${ns}/tagger-prod user_provided_deployment_id`,
      `${ns}/transaction-anomalies settings.target_name`,
    ]);
    const lines = (await readFile(join(dir, "models/fraud_detector/model.yaml"), "utf8")).split("\n");
    for (const item of result.report.filter((r) => r.file === "models/fraud_detector/model.yaml")) {
      const key = item.setting.split(".").at(-1)!;
      expect(lines[item.line - 1], item.setting).toMatch(new RegExp(`^\\s*${key}:`));
    }
    const header = await readFile(join(dir, "manifests/fraud-detector.yaml"), "utf8");
    expect(header).toMatch(
      /^# Converted by `drgitops import --from-cma` from models\/fraud_detector\/model\.yaml/,
    );
    expect(header).toContain("test.memory");
    // Every deployment item points at its own line in the deployment files.
    for (const item of result.report.filter((r) => r.file.startsWith("deployments/"))) {
      const text = (await readFile(join(dir, item.file), "utf8")).split("\n");
      const key = item.setting.split(".").at(-1)!;
      expect(text[item.line - 1], item.setting).toMatch(new RegExp(`^[\\s-]*${key}:`));
    }
    const challengers = result.report.find((r) => r.model === `${ns}/tagger-prod`)!;
    expect(challengers.reason).toContain("enable_challenger_models defaults to true");
  });

  it("writes a RegisteredModel for model_registry and a Deployment per CMA deployment, keyed by its userProvidedId", async () => {
    const { dir, result } = await converted("risk-models", REPOSITORY_ID);
    const loaded = await loadProject({ paths: [], cwd: dir, hash: true });
    expect(loaded.issues.filter((i) => i.severity === "error")).toEqual([]);
    const deployments = resourcesOf<DeploymentManifest>(loaded.project, { name: "Deployment" });
    const registered = resourcesOf<RegisteredModelManifest>(loaded.project, { name: "RegisteredModel" });
    const ns = result.namespace;
    // CMA's Namespace.namespaced applies to deployment ids as to model ids: the keys are those ids.
    expect(deployments.map((d) => d.key).sort()).toEqual(
      ["churn-prod", "fraud-detector-prod", "tagger-prod"].map((n) => `${ns}/${n}`),
    );
    const spec = (name: string) => deployments.find((d) => d.name === name)!.manifest.spec;
    expect(spec("churn-prod")).toEqual({
      label: "Churn classifier (prod)",
      description: "Monthly churn scores for the retention team.",
      model: { ref: "churn-classifier" },
      predictionEnvironment: { name: "Emulator Serverless" },
      importance: "MODERATE",
      settings: {
        targetDrift: true,
        featureDrift: false,
        predictionsDataCollection: true,
        associationId: { column: "customer_id", required: true },
      },
    });
    // CMA's defaults: its label, challengers on (so predictions data collection on), the model's replacement reason.
    expect(spec("fraud-detector-prod")).toEqual({
      label: "is_fraud Predictions [GitHub CI/CD]",
      description: "Production fraud scoring.",
      model: { ref: "fraud-detector" },
      replacementReason: "DATA_DRIFT",
      settings: { predictionsDataCollection: true, associationId: { column: "id", required: false } },
    });
    expect(spec("tagger-prod")).toEqual({
      label: "None Predictions [GitHub CI/CD]",
      model: { ref: "support-tagger" },
      settings: { predictionsDataCollection: true },
    });
    expect(registered.map((r) => [r.key, r.manifest.spec])).toEqual([
      [
        `${ns}/fraud-detector`,
        {
          displayName: "Card fraud detector",
          description: "Fraud scores for card transactions",
          model: { ref: "fraud-detector" },
        },
      ],
    ]);
    // Each lands in its model's manifest file, after the model.
    expect(deployments.find((d) => d.name === "churn-prod")!.file).toBe(
      join(dir, "manifests/churn-classifier.yaml"),
    );
  });

  it("reports a deployment of a model it does not define, a renamed deployment and an association without a column", async () => {
    const dir = await copyOf("risk-models");
    await writeFile(
      join(dir, "deployments/edge.yaml"),
      [
        "- user_provided_deployment_id: risk-team/orphan-prod",
        "  user_provided_model_id: risk-team/not-here",
        "- user_provided_deployment_id: elsewhere/fraud-prod",
        "  user_provided_model_id: risk-team/fraud-detector",
        "- user_provided_deployment_id: risk-team/House_Prod",
        "  user_provided_model_id: risk-team/house-prices",
        "  settings:",
        "    enable_challenger_models: false",
        "    association:",
        "      required_in_pred_request: true",
        "",
      ].join("\n"),
    );
    const result = await convertCmaRepository({ dir, outDir: dir, namespace: REPOSITORY_ID });
    await writeConversion(result);
    const loaded = await loadProject({ paths: [], cwd: dir, hash: true });
    expect(loaded.issues.filter((i) => i.severity === "error")).toEqual([]);
    const ns = result.namespace;
    const edge = result.report
      .filter((r) => r.file === "deployments/edge.yaml")
      .map((r) => `${r.line} ${r.model} ${r.setting}`);
    // A deployment outside the models' folder does not move the namespace (the models keep their keys).
    expect(ns).toBe(`${REPOSITORY_ID}/risk-team`);
    expect(edge).toEqual([
      `2 ${ns}/orphan-prod user_provided_model_id`,
      `3 ${REPOSITORY_ID}/elsewhere/fraud-prod user_provided_deployment_id`,
      `5 ${ns}/House_Prod user_provided_deployment_id`,
      `8 ${ns}/House_Prod settings.enable_challenger_models`,
      `10 ${ns}/House_Prod settings.association.required_in_pred_request`,
    ]);
    expect(result.report.find((r) => r.model === `${REPOSITORY_ID}/elsewhere/fraud-prod`)!.reason).toContain(
      "outside drgitops' namespace",
    );
    expect(result.report.find((r) => r.model === `${ns}/orphan-prod`)!.reason).toContain(
      "is not defined in this repository",
    );
    expect(
      result.report.find(
        (r) => r.setting === "user_provided_deployment_id" && r.model === `${ns}/House_Prod`,
      )!.reason,
    ).toContain("second deployment");
    const names = resourcesOf<DeploymentManifest>(loaded.project, { name: "Deployment" }).map((d) => d.name);
    expect(names).not.toContain("orphan-prod");
    expect(result.deployments.find((d) => d.userProvidedId === `${ns}/House_Prod`)).toMatchObject({
      name: "house-prod",
      model: "house-prices",
    });
    // Challengers off: predictions data collection is left as DataRobot has it.
    const house = resourcesOf<DeploymentManifest>(loaded.project, { name: "Deployment" }).find(
      (d) => d.name === "house-prod",
    )!;
    expect(house.manifest.spec.settings).toBeUndefined();
  });

  it("takes the namespace from the workflow, and reports names, outside files and hidden-name globs", async () => {
    // Models CMA does not test are untested in drgitops: every manifest validates.
    const { dir, result, models } = await converted("edge-cases", undefined);
    expect(result.namespaceSource).toBe("workflow");
    expect(result.namespace).toBe("risk/prod");
    // risk/prod/segmenter already starts with the namespace: CMA leaves it as it is.
    expect(models.map((m) => m.key).sort()).toEqual([
      "risk/prod/configured",
      "risk/prod/regressor",
      "risk/prod/scorer-v2",
      "risk/prod/segmenter",
    ]);
    expect(settingsOf(result)).toEqual([
      "risk/prod/Scorer_V2 settings.partitioning_column",
      "risk/prod/Scorer_V2 settings.prediction_threshold",
      "risk/prod/Scorer_V2 settings.training_dataset_id",
      "risk/prod/Scorer_V2 user_provided_model_id",
      "risk/prod/Scorer_V2 version.include_glob_pattern",
      "risk/prod/Scorer_V2 version.include_glob_pattern[2]",
      "risk/prod/configured version.include_glob_pattern",
      "risk/prod/segmenter target_type",
      "risk/prod/segmenter test",
      "risk/prod/segmenter version.holdout_dataset_id",
    ]);
    const reason = (setting: string, model = "risk/prod/Scorer_V2"): string =>
      result.report.find((r) => r.setting === setting && r.model === model)!.reason;
    // A test CMA runs without a dataset on a model drgitops treats as structured: left untested, said so.
    expect(reason("test", "risk/prod/segmenter")).toContain("leaves the model untested");
    expect(models.find((m) => m.name === "segmenter")!.manifest.spec).not.toHaveProperty("test");
    expect(reason("user_provided_model_id")).toContain('named "scorer-v2"');
    expect(reason("version.include_glob_pattern[2]")).toContain("shared/utils.py");
    expect(reason("version.include_glob_pattern")).toContain(".scratch.py, .streamlit/.secrets.toml");
    expect(result.problems.map((p) => p.file)).toEqual([
      "models/broken/labels.yaml",
      "models/broken/labels.yaml",
      "models/broken/model.yaml",
      "models/broken/model.yaml",
    ]);
    // Every file CMA uploads from the model's folder, and no other, is drgitops' too.
    for (const f of await fixtureModels(dir, EDGE_DEFINITIONS)) {
      const name = result.models.find(
        (m) => m.userProvidedId === `risk/prod/${f.id.replace(/^risk\/prod\//, "")}`,
      )!.name;
      const model = models.find((m) => m.name === name)!;
      const cma = await cmaUploads(
        dir,
        f.modelDir,
        f.definition.version.include_glob_pattern ?? [],
        f.definition.version.exclude_glob_pattern ?? [],
      );
      expect(model.files!.map((x) => x.path)).toEqual(cma.filter((u) => !u.fromRoot).map((u) => u.path));
    }
    const scorer = models.find((m) => m.name === "scorer-v2")!;
    expect(scorer.files!.map((x) => x.path)).toEqual([".streamlit/config.toml", "custom.py"]);
    expect(models.find((m) => m.name === "segmenter")!.files!.map((x) => x.path)).toEqual([
      "custom.py",
      "model.tmp",
      "model.yaml",
    ]);
    expect(models.find((m) => m.name === "regressor")!.files!.map((x) => x.path)).toEqual([
      "custom.py",
      "data1.json",
    ]);
    // Python's ** never enters .config, so CMA's exclude misses .config/settings.json; picomatch's
    // would not: the import lists CMA's files instead, and says so.
    const configured = models.find((m) => m.name === "configured")!;
    expect(configured.files!.map((x) => x.path)).toEqual([".config/settings.json", "custom.py"]);
    expect(configured.manifest.spec.source.include).toEqual([".config/settings.json", "custom.py"]);
    expect(reason("version.include_glob_pattern", "risk/prod/configured")).toContain(
      "lists the 2 files CMA uploads",
    );
  });

  it("moves only the folders every id shares into the namespace", () => {
    const ns = cmaNamespace("1234");
    const ids = ["team/a/fraud", "team/a/churn", "team/a/risk-team/house"].map((id) =>
      cmaUserProvidedId(ns, id),
    );
    const split = splitKeys(ns, ids)!;
    expect(split.namespace).toBe("1234/team/a");
    expect([...split.names.values()]).toEqual(["fraud", "churn", null]);
    // Ids without a shared folder keep CMA's namespace; a name with a "/" or capitals has none.
    const mixed = splitKeys(ns, ["1234/alice/m1", "1234/bob/m2", "1234/m3", "1234/Upper"])!;
    expect(mixed.namespace).toBe("1234");
    expect([...mixed.names.values()]).toEqual([null, null, "m3", null]);
    expect(cmaUserProvidedId("1234/", "1234/already")).toBe("1234/already");
    expect(splitKeys(cmaNamespace("has space"), [])).toBeNull();
  });

  it("asks for the namespace when CMA ran with its default (the repository id)", async () => {
    const dir = await copyOf("risk-models");
    await expect(convertCmaRepository({ dir, outDir: dir })).rejects.toMatchObject({
      code: "cma-namespace",
      message: expect.stringContaining("GITHUB_REPOSITORY_ID") as unknown,
    });
  });

  it("writes drgitops.yaml with CMA's namespace and the manifests folder", async () => {
    const { dir } = await converted("risk-models", REPOSITORY_ID);
    const config = parse(await readFile(join(dir, "drgitops.yaml"), "utf8")) as unknown;
    expect(config).toEqual({ namespace: `${REPOSITORY_ID}/risk-team`, paths: ["manifests"] });
  });
});

describe("writing a conversion", () => {
  it("refuses an existing target before writing anything, and replaces it with force", async () => {
    const dir = await copyOf("risk-models");
    const result = await convertCmaRepository({ dir, outDir: dir, namespace: REPOSITORY_ID });
    await mkdir(join(dir, "manifests"));
    await writeFile(join(dir, "manifests/house-prices.yaml"), "# edited by hand\n");
    await expect(writeConversion(result)).rejects.toMatchObject({ code: "import-target-exists" });
    expect(await readdir(join(dir, "manifests"))).toEqual(["house-prices.yaml"]);
    expect(await readFile(join(dir, "manifests/house-prices.yaml"), "utf8")).toBe("# edited by hand\n");
    await expect(readFile(join(dir, "drgitops.yaml"))).rejects.toMatchObject({ code: "ENOENT" });

    const written = await writeConversion(result, { force: true });
    expect(written.sort()).toEqual(result.files.map((f) => f.path).sort());
    for (const f of result.files) expect(await readFile(f.path, "utf8")).toBe(f.content);
    // Written through temp files renamed into place: none is left behind.
    expect((await readdir(join(dir, "manifests"))).filter((n) => n.startsWith("."))).toEqual([]);
  });
});
