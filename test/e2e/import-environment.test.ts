import { appendFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type DataRobotClient } from "../../src/client/index.js";
import { BUILTIN_ENVIRONMENT } from "../../src/emulator/seed.js";
import { type RunningEmulator } from "../../src/emulator/index.js";
import { ImportRefused } from "../../src/import/model.js";
import { importProject } from "../../src/import/project.js";
import { importEnvironment } from "../../src/import/run.js";
import { parseDescription } from "../../src/reconcile/trailer.js";
import { actionsOf, git, planJson, resetStats, stats, writeRequests } from "./harness.js";
import { projectWorld, type ProjectWorld } from "./project-world.js";

const NS = "acme/platform";

describe("drgitops import --environment, then a model on it", { timeout: 180_000 }, () => {
  let world: ProjectWorld;
  let emu: RunningEmulator;
  let client: DataRobotClient;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let envId: string;
  let envVersionId: string;
  let modelId: string;
  const cli = (...args: string[]) => world.cli(...args);

  beforeAll(async () => {
    world = await projectWorld(NS);
    ({ emu, client, dir, env } = world);
    // Made in the UI: an environment built from a docker context, and a model running on it.
    const context = join(dir, "ui-context");
    await mkdir(join(context, "conf"), { recursive: true });
    await writeFile(join(context, "Dockerfile"), "FROM python:3.11-slim\nCOPY conf /conf\n");
    await writeFile(join(context, "conf/pip.conf"), "[global]\ntimeout = 60\n");
    const created = await client.environments.create({
      name: "Team GPU env",
      description: "Made in the UI",
      programmingLanguage: "python",
      useCases: ["customModel"],
    });
    envId = created.id;
    const version = await client.environmentVersions.create(envId, { dockerContextPath: context });
    envVersionId = (await client.environmentVersions.waitForBuild(envId, version.id)).id;
    await rm(context, { recursive: true });
    const src = join(dir, "ui-model");
    await mkdir(src);
    await writeFile(join(src, "custom.py"), "def score(data, model, **kw):\n    return data\n");
    const { model } = await client.customModels.create({ name: "On GPU", targetType: "Anomaly" });
    modelId = model.id;
    await client.versions.createClean(modelId, {
      files: [{ filePath: "custom.py", absPath: join(src, "custom.py") }],
      baseEnvironmentId: envId,
    });
    await rm(src, { recursive: true });
  }, 120_000);
  afterAll(() => world?.stop());

  it("refuses an unknown environment id (exit 1), and --dry-run writes nothing anywhere", async () => {
    const unknown = await cli("import", "--environment", "0123456789abcdef01234567", "--name", "x");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("no execution environment has id 0123456789abcdef01234567");
    await resetStats(emu);
    const dry = await cli("import", "--environment", envId, "--name", "gpu", "--dry-run");
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("would write envs/gpu/ (2 files");
    expect(writeRequests(await stats(emu))).toEqual({});
    expect(await git(dir, "status", "--porcelain", "--untracked-files=all")).toBe("?? drgitops.yaml");
  });

  it("a built-in environment refuses the trailer (403): import refused, nothing written", async () => {
    // The emulator's built-ins are made from images, so the trailer is sent to its built-in
    // environment instead: DataRobot's own 403 answer, as a built-in with a docker context gives.
    const builtIn: DataRobotClient = {
      ...client,
      environments: {
        ...client.environments,
        update: (_id, patch, signal) => client.environments.update(BUILTIN_ENVIRONMENT.id, patch, signal),
      },
    };
    const p = await importProject(dir, NS);
    const refused = importEnvironment(
      p,
      builtIn,
      { id: envId, name: "gpu" },
      { force: false, dryRun: false },
    );
    await expect(refused).rejects.toBeInstanceOf(ImportRefused);
    await expect(refused).rejects.toThrow(`environment ${envId} is built in`);
    expect(await git(dir, "status", "--porcelain", "--untracked-files=all")).toBe("?? drgitops.yaml");
    expect(parseDescription((await client.environments.get(envId)).description ?? "").trailer).toBeNull();
  });

  it("writes the manifest and docker context, adopts by trailer, and the next plan builds nothing", async () => {
    const r = await cli("import", "--environment", envId, "--name", "gpu");
    expect(r.code, r.stderr).toBe(0);
    const manifest = parse(await readFile(join(dir, "manifests/gpu.yaml"), "utf8")) as { spec: unknown };
    expect(manifest.spec).toEqual({
      displayName: "Team GPU env",
      description: "Made in the UI",
      programmingLanguage: "python",
      useCases: ["customModel"],
      dockerContext: "../envs/gpu",
    });
    expect(await readFile(join(dir, "envs/gpu/conf/pip.conf"), "utf8")).toContain("timeout = 60");
    const live = await client.environments.get(envId);
    const { body, trailer } = parseDescription(live.description ?? "");
    expect(body).toBe("Made in the UI");
    expect(trailer).toMatchObject({ key: `${NS}/gpu`, adoptedVersion: envVersionId });
    const { plan } = await planJson(dir, env);
    expect(plan.actions).toEqual([]);
    expect(plan.unchanged).toEqual([`${NS}/gpu`]);
  });

  it("a model on the adopted version is imported with {ref} to it, and plans no new version", async () => {
    const r = await cli("import", modelId, "--name", "on-gpu");
    expect(r.code, r.stderr).toBe(0);
    const manifest = parse(await readFile(join(dir, "manifests/on-gpu.yaml"), "utf8")) as {
      spec: { environment: unknown };
    };
    expect(manifest.spec.environment).toEqual({ ref: "gpu" });
    const { plan } = await planJson(dir, env);
    expect(actionsOf(plan).sort()).toEqual([`annotateVersion ${NS}/on-gpu`, `updateModel ${NS}/on-gpu`]);
    const applied = await cli("apply", "--yes");
    expect(applied.code, applied.stderr).toBe(0);
    expect((await planJson(dir, env, "--detailed-exitcode")).code).toBe(0);
    expect((await client.customModels.get(modelId)).latestVersion?.baseEnvironmentVersionId).toBe(
      envVersionId,
    );
  });

  it("a change to the imported docker context builds a version, and the model follows it", async () => {
    await appendFile(join(dir, "envs/gpu/Dockerfile"), "RUN echo tuned\n");
    const { plan } = await planJson(dir, env);
    expect(actionsOf(plan)).toEqual([
      `updateEnvironment ${NS}/gpu`,
      `buildEnvironmentVersion ${NS}/gpu`,
      `createVersion ${NS}/on-gpu`,
    ]);
    // The trailer stops naming the adopted version: it is no longer the build of the context.
    expect(plan.actions[0]?.reasons).toEqual([
      `the docker context changed: the adopted version ${envVersionId} is no longer its build`,
    ]);
  });

  it("refuses a second import of the environment without --force", async () => {
    const again = await cli("import", "--environment", envId, "--name", "gpu");
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("refusing to overwrite");
  });
});
