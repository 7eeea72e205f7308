import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type CustomModel, type DataRobotClient } from "../../src/client/index.js";
import { type RunningEmulator } from "../../src/emulator/index.js";
import { parseDescription } from "../../src/reconcile/trailer.js";
import { actionsOf, git, planJson, resetStats, stats, writeRequests } from "./harness.js";
import { projectWorld, type ProjectWorld } from "./project-world.js";

const NS = "acme/imported";
const BUILTIN_ENV = "5e8c889607389fe0f466c72d";
const SECRET = "tok-9f8e7d6c5b4a39281706f5e4d3c2b1a0";

const METADATA = `name: scorer
type: inference
targetType: regression
runtimeParameterDefinitions:
  - {fieldName: CUTOFF, type: numeric, defaultValue: 0.5}
  - {fieldName: MODE, type: string}
  - {fieldName: SERVICE_TOKEN, type: string}
  - {fieldName: PRICING_KEY, type: credential}
`;

/** A model made the way the UI or a notebook makes it: through the API, no drgitops anywhere. */
async function modelMadeElsewhere(client: DataRobotClient, dir: string): Promise<CustomModel> {
  const src = join(dir, "made-elsewhere");
  await mkdir(join(src, "lib"), { recursive: true });
  await writeFile(join(src, "custom.py"), "from lib.helpers import score\n");
  await writeFile(join(src, "lib/helpers.py"), "def score(data, model, **kw):\n    return data\n");
  await writeFile(join(src, "model-metadata.yaml"), METADATA);
  await writeFile(join(src, "train.csv"), "x,y,fold\n1,2,T\n3,4,H\n");
  const dataset = await client.datasets.upload({ filePath: join(src, "train.csv") });
  const credential = [];
  for await (const c of client.credentials.listAll()) credential.push(c);
  const { model } = await client.customModels.create({
    name: "Churn scorer (notebook)",
    description: "Made in a notebook",
    targetType: "Regression",
    targetName: "y",
    language: "python",
    tags: [
      { name: "team", value: "retention" },
      { name: "stage", value: "prod" },
    ],
    isTrainingDataForVersionsPermanentlyEnabled: true,
  });
  await client.versions.createClean(model.id, {
    files: ["custom.py", "lib/helpers.py", "model-metadata.yaml"].map((p) => ({
      filePath: p,
      absPath: join(src, p),
    })),
    baseEnvironmentId: BUILTIN_ENV,
    maximumMemory: 512 * 1024 ** 2,
    replicas: 2,
    networkEgressPolicy: "NONE",
    trainingData: { datasetId: dataset.datasetId },
    holdoutData: { partitionColumn: "fold" },
    runtimeParameterValues: [
      { fieldName: "CUTOFF", type: "numeric", value: 0.7 },
      { fieldName: "MODE", type: "string", value: "fast" },
      { fieldName: "SERVICE_TOKEN", type: "string", value: SECRET },
      { fieldName: "PRICING_KEY", type: "credential", value: credential[0]!.credentialId },
    ],
  });
  await rm(src, { recursive: true });
  return await client.customModels.get(model.id);
}

describe("drgitops import MODEL_ID", { timeout: 180_000 }, () => {
  let world: ProjectWorld;
  let emu: RunningEmulator;
  let client: DataRobotClient;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let model: CustomModel;
  const cli = (...args: string[]) => world.cli(...args);

  beforeAll(async () => {
    // The withheld value is read from the environment, as the import says.
    world = await projectWorld(NS, { seeded: true, env: { SERVICE_TOKEN: SECRET } });
    ({ emu, client, dir, env } = world);
    model = await modelMadeElsewhere(client, dir);
  }, 120_000);
  afterAll(() => world?.stop());

  it("refuses an unknown model id clearly (exit 1) and writes nothing", async () => {
    await resetStats(emu);
    const r = await cli("import", "0123456789abcdef01234567", "--name", "ghost");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("no custom model has id 0123456789abcdef01234567");
    expect(writeRequests(await stats(emu))).toEqual({});
    expect(await git(dir, "status", "--porcelain", "--untracked-files=all")).toBe("?? drgitops.yaml");
  });

  it("--dry-run shows the manifest and files, writes nothing and sends no write request", async () => {
    await resetStats(emu);
    const r = await cli("import", model.id, "--name", "scorer", "--dry-run");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("would write manifests/scorer.yaml");
    expect(r.stdout).toMatch(/would write models\/scorer\/ \(3 files/);
    expect(r.stdout).toContain(`would adopt: userProvidedId ${NS}/scorer`);
    expect(writeRequests(await stats(emu))).toEqual({});
    expect(await git(dir, "status", "--porcelain", "--untracked-files=all")).toBe("?? drgitops.yaml");
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it("--profile adopts into the profile's namespace, as every other command would look for it", async () => {
    const config = join(dir, "drgitops.yaml");
    const before = await readFile(config, "utf8");
    await writeFile(config, `${before}profiles:\n  stage: {namespace: acme/stage}\n`);
    try {
      const r = await cli("import", model.id, "--name", "scorer", "--dry-run", "--profile", "stage");
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain("would adopt: userProvidedId acme/stage/scorer");
    } finally {
      await writeFile(config, before);
    }
  });

  it("writes a manifest that validates, with every setting, and adopts the model by userProvidedId", async () => {
    await resetStats(emu);
    const r = await cli("import", model.id, "--name", "scorer");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`adopted: userProvidedId ${NS}/scorer`);
    // The only write: the adoption PATCH.
    expect(writeRequests(await stats(emu))).toEqual({ "PATCH /api/v2/customModels/:modelId/": 1 });
    expect((await client.customModels.get(model.id)).userProvidedId).toBe(`${NS}/scorer`);

    const text = await readFile(join(dir, "manifests/scorer.yaml"), "utf8");
    expect(text).not.toContain(SECRET);
    expect(text).toMatch(/^# Imported by `drgitops import /);
    const manifest = parse(text) as { spec: Record<string, unknown> };
    const credential = (await client.credentials.listPage()).data[0]!;
    expect(manifest.spec).toEqual({
      displayName: "Churn scorer (notebook)",
      description: "Made in a notebook",
      targetType: "Regression",
      targetName: "y",
      language: "python",
      environment: { id: BUILTIN_ENV, versionId: model.latestVersion!.baseEnvironmentVersionId },
      source: { path: "../models/scorer" },
      resources: { memory: "512Mi", replicas: 2, networkEgressPolicy: "NONE" },
      tags: { team: "retention", stage: "prod" },
      runtimeParameters: {
        CUTOFF: 0.7,
        MODE: "fast",
        SERVICE_TOKEN: { env: "SERVICE_TOKEN", sensitive: true },
        PRICING_KEY: { credential: credential.name },
      },
      trainingData: {
        dataset: { id: model.latestVersion!.trainingData!.datasetId },
        partitionColumn: "fold",
      },
    });
    expect(text).toContain("SERVICE_TOKEN: the value was not written");
    expect(r.stderr).toContain("export it with the value it has on DataRobot");
    expect(await readFile(join(dir, "models/scorer/lib/helpers.py"), "utf8")).toContain("def score");
    const validated = await cli("validate");
    expect(validated.code, validated.stdout).toBe(0);
  });

  it("the next plan creates no model and no version; apply makes no version, then nothing is left", async () => {
    const { plan } = await planJson(dir, env);
    const types = actionsOf(plan).map((a) => a.split(" ")[0]);
    expect(types).not.toContain("createModel");
    expect(types).not.toContain("createVersion");
    expect(types.sort()).toEqual(["annotateVersion", "updateModel"]);
    expect(plan.drift).toEqual([]);
    expect(plan.untested).toEqual([`${NS}/scorer`]);
    const update = plan.actions.find((a) => a.type === "updateModel")!;
    expect(update.changes).toEqual([]);

    const versionId = (await client.customModels.get(model.id)).latestVersion!.id;
    await resetStats(emu);
    const applied = await cli("apply", "--yes");
    expect(applied.code, applied.stderr).toBe(0);
    const writes = writeRequests(await stats(emu));
    expect(Object.keys(writes).some((k) => /versions\/?$/.test(k))).toBe(false);
    expect(writes["POST /api/v2/customModelTests/"]).toBeUndefined();
    const after = await client.customModels.get(model.id);
    expect(after.latestVersion!.id).toBe(versionId);
    expect(parseDescription(after.description).trailer?.key).toBe(`${NS}/scorer`);
    expect((await planJson(dir, env, "--detailed-exitcode")).code).toBe(0);
  });

  it("refuses a second import without --force before writing anything, and replaces with --force", async () => {
    const manifest = join(dir, "manifests/scorer.yaml");
    await writeFile(manifest, `${await readFile(manifest, "utf8")}# edited by hand\n`);
    await resetStats(emu);
    const again = await cli("import", model.id, "--name", "scorer");
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("refusing to overwrite");
    expect(writeRequests(await stats(emu))).toEqual({});
    expect(await readFile(manifest, "utf8")).toContain("# edited by hand");
    // Re-importing its own adopted model under the same key is allowed with --force.
    const forced = await cli("import", model.id, "--name", "scorer", "--force");
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain(`adoption: userProvidedId is already ${NS}/scorer`);
    expect(await readFile(manifest, "utf8")).not.toContain("# edited by hand");
  });

  it("refuses a model already managed under another key, and names clash with a manifest of another file", async () => {
    const other = await cli("import", model.id, "--name", "other-name", "--dir", "elsewhere");
    expect(other.code).toBe(1);
    expect(other.stderr).toContain(`managed by drgitops as ${NS}/scorer`);
    const { model: fresh } = await client.customModels.create({
      name: "x",
      targetType: "Regression",
      targetName: "y",
    });
    const clash = await cli("import", fresh.id, "--name", "scorer", "--dir", "elsewhere");
    expect(clash.code).toBe(1);
    expect(clash.stderr).toContain('a CustomModel named "scorer" is already declared');
    const usage = await cli("import", model.id);
    expect(usage.code).toBe(1);
    expect(usage.stderr).toContain("--name NAME is required");
    // A malformed --namespace would make keys no other command agrees on: refused like plan's.
    await resetStats(emu);
    const slash = await cli("import", fresh.id, "--name", "fresh", "--namespace", "acme//x");
    expect(slash.code).toBe(1);
    expect(slash.stderr).toContain('--namespace "acme//x" must be path-like segments');
    expect(writeRequests(await stats(emu))).toEqual({});
    expect(existsSync(join(dir, "manifests/fresh.yaml"))).toBe(false);
  });
});
