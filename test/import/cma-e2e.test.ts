import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../../src/emulator/index.js";
import type { RunningEmulator } from "../../src/emulator/index.js";
import { convertCmaRepository, writeConversion } from "../../src/import/cma/index.js";
import type { ConversionResult } from "../../src/import/cma/index.js";
import { cleanEnv, planJson, runCli } from "../e2e/harness.js";
import { parse } from "yaml";
import {
  cmaCreatesDeployment,
  cmaCreatesModel,
  cmaRegistersVersion,
  uploadDataset,
  versionCount,
} from "./cma-action.js";
import type { CmaCreated, CmaDeploymentDefinition } from "./cma-action.js";
import { fixtureModels } from "./cma-rules.js";

const REPO = resolve(import.meta.dirname, "../..");
const FIXTURES = resolve(import.meta.dirname, "../fixtures/cma");
const DEFINITIONS = [
  "models/fraud_detector/model.yaml",
  "models/house_prices/model.yaml",
  "definitions/models.yaml",
];
/** CMA's deployment definitions in the fixture: one single definition, one list. */
const DEPLOYMENT_FILES = ["deployments/deployment.yaml", "deployments/more-deployments.yaml"];
const REPOSITORY_ID = "712345678";

/** Catalog ids in the fixture's definitions, and the file each stands for (CMA's tests replace them so). */
const DATASETS: Record<string, string> = {
  "627790ba56215587b3021632": "fraud-train.csv",
  "62779143562155aa34a3d65b": "fraud-test.csv",
  "627791f5562155d63f367b05": "fraud-predictions.csv",
  "62ef8e053f9b9493db97af67": "house-test.csv",
  "62ef8e053f9b9493db97af11": "house-train.csv",
  "62f0f226bc397a932a9c0c11": "churn-test.csv",
  "62f0f226bc397a932a9c0c44": "anomaly-test.csv",
  "62f0f226bc397a932a9c0c22": "tagger-train.csv",
  "62f0f226bc397a932a9c0c33": "tagger-holdout.csv",
};

/** A copy of the risk-models fixture that CMA has pushed to a fresh emulator (datasets, models, versions). */
async function cmaWorld(): Promise<{
  emu: RunningEmulator;
  dir: string;
  created: CmaCreated[];
  deployments: { userProvidedId: string; deploymentId: string }[];
}> {
  if (!existsSync(join(REPO, "dist/bundle/drgitops.cjs")))
    await promisify(execFile)("npm", ["run", "build"], { cwd: REPO });
  const emu = await startEmulator({ jobDurationMs: 0 });
  const dir = await mkdtemp(join(tmpdir(), "drgitops-cma-e2e-"));
  await cp(join(FIXTURES, "risk-models"), dir, { recursive: true });
  const api = { url: emu.url, token: emu.token };
  // The datasets exist in the catalogue before CMA runs; their ids go into the definitions.
  const ids = new Map<string, string>();
  for (const [placeholder, file] of Object.entries(DATASETS))
    ids.set(placeholder, await uploadDataset(api, join(FIXTURES, "datasets", file)));
  for (const file of DEFINITIONS) {
    const path = join(dir, file);
    let text = await readFile(path, "utf8");
    for (const [placeholder, id] of ids) text = text.replaceAll(placeholder, id);
    await writeFile(path, text);
  }
  const created: CmaCreated[] = [];
  for (const model of await fixtureModels(dir, DEFINITIONS)) {
    const made = await cmaCreatesModel(api, dir, `${REPOSITORY_ID}/`, model);
    created.push(made);
    if (model.definition.model_registry)
      await cmaRegistersVersion(api, made.modelId, model.definition.model_registry);
  }
  // Then CMA's deployment step: each definition deploys its model's latest version.
  const deployments: { userProvidedId: string; deploymentId: string }[] = [];
  for (const file of DEPLOYMENT_FILES) {
    const data = parse(await readFile(join(dir, file), "utf8")) as
      CmaDeploymentDefinition | CmaDeploymentDefinition[];
    for (const definition of Array.isArray(data) ? data : [data]) {
      const model = created.find(
        (c) => c.userProvidedId === `${REPOSITORY_ID}/${definition.user_provided_model_id}`,
      )!;
      deployments.push(await cmaCreatesDeployment(api, `${REPOSITORY_ID}/`, definition, model.modelId));
    }
  }
  return { emu, dir, created, deployments };
}

describe("switching from custom-models-action without a new version", { timeout: 240_000 }, () => {
  let emu: RunningEmulator;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let created: CmaCreated[];
  let deployments: { userProvidedId: string; deploymentId: string }[];
  let conversion: ConversionResult;
  const connection = (): string[] => ["--endpoint", emu.url, "--token", emu.token];

  beforeAll(async () => {
    ({ emu, dir, created, deployments } = await cmaWorld());
    env = cleanEnv(dir);
    conversion = await convertCmaRepository({ dir, outDir: dir, namespace: REPOSITORY_ID });
    await writeConversion(conversion);
  }, 240_000);

  afterAll(async () => {
    await emu?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("plans no new model and no new version: each CMA version is adopted as it is", async () => {
    const { plan } = await planJson(dir, env, ...connection());

    expect(plan.namespace).toBe(`${REPOSITORY_ID}/risk-team`);
    const keys = created.map((c) => c.userProvidedId).sort();
    expect(keys).toHaveLength(5);
    const of = (type: string): string[] =>
      plan.actions
        .filter((a) => a.type === type)
        .map((a) => a.key)
        .sort();
    expect(of("createModel")).toEqual([]);
    expect(of("createVersion")).toEqual([]);
    // Found under the same key with the same files and settings: the version only gets its trailer.
    expect(of("annotateVersion")).toEqual(keys);
    expect(plan.drift).toEqual([]);
    expect(plan.refusals).toEqual([]);
    // Model-level changes are ownership only (the description trailer), never a setting CMA made.
    for (const update of plan.actions.filter((a) => a.type === "updateModel"))
      expect(
        update.changes.map((c) => c.path),
        update.key,
      ).toEqual([]);
    // No test is added: the model whose test CMA skips is untested, and the plan says so.
    expect(of("runTest")).toEqual([]);
    expect(plan.untested).toEqual([`${REPOSITORY_ID}/risk-team/house-prices`]);
  });

  it("adopts CMA's deployments and registered model: nothing is created, registered or replaced", async () => {
    const { plan } = await planJson(dir, env, ...connection());
    const of = (type: string): string[] =>
      plan.actions
        .filter((a) => a.type === type)
        .map((a) => a.key)
        .sort();
    const keys = deployments.map((d) => d.userProvidedId).sort();
    expect(keys).toHaveLength(3);
    expect(of("createDeployment")).toEqual([]);
    expect(of("replaceDeploymentModel")).toEqual([]);
    expect(of("registerVersion")).toEqual([]);
    expect(plan.drift).toEqual([]);
    // Each deployment only gets drgitops' trailer: label, description, importance and settings are CMA's already.
    expect(of("updateDeployment")).toEqual(keys);
    for (const update of plan.actions.filter((a) => a.type === "updateDeployment"))
      expect(
        update.changes.map((c) => c.path),
        update.key,
      ).toEqual([]);
    for (const update of plan.actions.filter((a) => a.type === "updateRegisteredModel"))
      expect(update.changes.map((c) => c.path).filter((p) => p !== "lifecycle.protected")).toEqual([]);
  });

  it("applies only annotations, keeps every version, and then has nothing to do", async () => {
    const api = { url: emu.url, token: emu.token };
    const before = await Promise.all(created.map((c) => versionCount(api, c.modelId)));
    const applied = await runCli(["apply", ...connection()], { cwd: dir, env });
    expect(applied.code, applied.stderr).toBe(0);
    expect(await Promise.all(created.map((c) => versionCount(api, c.modelId)))).toEqual(before);
    const again = await runCli(["plan", "--detailed-exitcode", ...connection()], { cwd: dir, env });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    // The same deployments, still serving what CMA deployed.
    const listed = (await (
      await fetch(`${emu.url}/deployments/?limit=100`, { headers: { authorization: `Bearer ${emu.token}` } })
    ).json()) as { data: { id: string; userProvidedId: string | null }[] };
    expect(listed.data.map((d) => [d.userProvidedId, d.id]).sort()).toEqual(
      deployments.map((d) => [d.userProvidedId, d.deploymentId]).sort(),
    );
  });
});

describe("drgitops import --from-cma (the command)", { timeout: 240_000 }, () => {
  let emu: RunningEmulator;
  let dir: string;
  let created: CmaCreated[];
  const connection = (): string[] => ["--endpoint", emu.url, "--token", emu.token];
  const cli = (...args: string[]) => runCli(args, { cwd: dir, env: cleanEnv(dir) });

  beforeAll(async () => {
    ({ emu, dir, created } = await cmaWorld());
  }, 240_000);
  afterAll(async () => {
    await emu?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("--dry-run prints the report and the files it would write, and writes none", async () => {
    const r = await cli("import", "--from-cma", ".", "--namespace", REPOSITORY_ID, "--dry-run");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`namespace ${REPOSITORY_ID}/risk-team`);
    expect(r.stdout).toMatch(
      /models\/house_prices\/model\.yaml:\d+:\d+ {2}\S+house-prices {2}test\.skip {2}the test is skipped/,
    );
    expect(r.stdout).toContain("would write manifests/fraud-detector.yaml");
    expect(r.stdout).toContain(
      `deployment ${REPOSITORY_ID}/risk-team/churn-prod as churn-prod (serves churn-classifier)`,
    );
    expect(r.stdout).toContain("registered model fraud-detector (registers the versions of fraud-detector)");
    expect(r.stdout).toMatch(
      /deployments\/more-deployments\.yaml:\d+:\d+ {2}\S+churn-prod {2}settings\.segment_analysis {2}drgitops has no segment analysis/,
    );
    expect(r.stdout).toContain("would write drgitops.yaml");
    expect(existsSync(join(dir, "drgitops.yaml"))).toBe(false);
    expect(existsSync(join(dir, "manifests"))).toBe(false);
  });

  it("writes manifests that validate and a drgitops.yaml; the next plan creates no model and no version", async () => {
    const r = await cli("import", "--from-cma", ".", "--namespace", REPOSITORY_ID);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("wrote manifests/house-prices.yaml");
    expect(r.stdout).toContain("wrote drgitops.yaml");
    expect(await readFile(join(dir, "drgitops.yaml"), "utf8")).toContain(
      `namespace: ${REPOSITORY_ID}/risk-team`,
    );
    expect((await cli("validate")).code).toBe(0);
    const { plan } = await planJson(dir, cleanEnv(dir), ...connection());
    const types = new Set(plan.actions.map((a) => a.type));
    expect(types.has("createModel") || types.has("createVersion")).toBe(false);
    expect(types.has("createDeployment") || types.has("replaceDeploymentModel")).toBe(false);
    expect(plan.untested).toEqual([`${REPOSITORY_ID}/risk-team/house-prices`]);
    const api = { url: emu.url, token: emu.token };
    const before = await Promise.all(created.map((c) => versionCount(api, c.modelId)));
    const applied = await cli("apply", "--yes", ...connection());
    expect(applied.code, applied.stderr).toBe(0);
    expect(await Promise.all(created.map((c) => versionCount(api, c.modelId)))).toEqual(before);
  });

  it("refuses to convert again over the written files without --force", async () => {
    const manifest = join(dir, "manifests/fraud-detector.yaml");
    const text = await readFile(manifest, "utf8");
    const r = await cli("import", "--from-cma", ".", "--namespace", REPOSITORY_ID);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("refusing to overwrite");
    expect(await readFile(manifest, "utf8")).toBe(text);
    const forced = await cli("import", "--from-cma", ".", "--namespace", REPOSITORY_ID, "--force");
    expect(forced.code, forced.stderr).toBe(0);
  });
});
