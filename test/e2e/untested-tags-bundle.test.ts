import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CustomModel, type DataRobotClient } from "../../src/client/index.js";
import { type RunningEmulator } from "../../src/emulator/index.js";
import { planJson, resetStats, stats, type EmulatorStats } from "./harness.js";
import { projectWorld, type ProjectWorld } from "./project-world.js";

const NS = "acme/pricing";
const BUILTIN_ENV = "5e8c889607389fe0f466c72d";

const MANIFEST = `apiVersion: drgitops/v1
kind: CustomModel
metadata: {name: pricer}
spec:
  displayName: Pricer
  targetType: Regression
  targetName: price
  environment: {id: ${BUILTIN_ENV}}
  source: {path: ../model}
  resources: {bundle: cpu.small, replicas: 2}
  tags: {team: pricing, tier: gold}
`;

const testRuns = (s: EmulatorStats): number =>
  Object.entries(s.requests)
    .filter(([k]) => /^POST \/api\/v2\/customModelTests\/?$/.test(k))
    .reduce((n, [, v]) => n + v, 0);
const versionCreates = (s: EmulatorStats): number =>
  Object.entries(s.requests)
    .filter(([k]) => /^(POST|PATCH) \/api\/v2\/customModels\/:\w+\/versions\/?$/.test(k))
    .reduce((n, [, v]) => n + v, 0);

describe("an untested Regression model with tags and a resource bundle", { timeout: 180_000 }, () => {
  let world: ProjectWorld;
  let emu: RunningEmulator;
  let client: DataRobotClient;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const cli = (...args: string[]) => world.cli(...args);
  const live = async (): Promise<CustomModel> => {
    for await (const m of client.customModels.listAll({})) if (m.userProvidedId === `${NS}/pricer`) return m;
    throw new Error("pricer not found");
  };

  beforeAll(async () => {
    world = await projectWorld(NS);
    ({ emu, client, dir, env } = world);
    await mkdir(join(dir, "manifests"));
    await mkdir(join(dir, "model"));
    await writeFile(join(dir, "model/custom.py"), "def score(data, model, **kw):\n    return data\n");
    await writeFile(join(dir, "manifests/pricer.yaml"), MANIFEST);
  }, 60_000);
  afterAll(() => world?.stop());

  it("validates, applies without running a test, and then plans empty (still listed as untested)", async () => {
    expect((await cli("validate")).code).toBe(0);
    const shown = await cli("plan");
    expect(shown.stdout).toContain("Untested: 1 model has no test section");
    await resetStats(emu);
    const applied = await cli("apply", "--yes");
    expect(applied.code, applied.stderr).toBe(0);
    expect(testRuns(await stats(emu))).toBe(0);
    const { code, plan } = await planJson(dir, env, "--detailed-exitcode", "--detect-drift");
    expect(code).toBe(0);
    expect(plan.actions).toEqual([]);
    expect(plan.untested).toEqual([`${NS}/pricer`]);
    const m = await live();
    expect(m.tags).toEqual([
      { name: "team", value: "pricing" },
      { name: "tier", value: "gold" },
    ]);
    expect(m.latestVersion).toMatchObject({
      resourceBundleId: "cpu.small",
      replicas: 2,
      maximumMemory: null,
    });
  });

  it("tags changed in the UI are drift (exit 6); apply restores them with one PATCH, then nothing is left", async () => {
    const m = await live();
    await client.customModels.update(m.id, { tags: [{ name: "team", value: "ops" }] });
    const drift = await planJson(dir, env, "--detect-drift");
    expect(drift.code).toBe(6);
    expect(drift.plan.drift.map((d) => [d.subject, d.summary])).toEqual([
      ["model", "tags changed outside drgitops"],
    ]);
    await resetStats(emu);
    expect((await cli("apply", "--yes")).code).toBe(0);
    expect(versionCreates(await stats(emu))).toBe(0);
    expect((await live()).tags).toEqual([
      { name: "team", value: "pricing" },
      { name: "tier", value: "gold" },
    ]);
    expect((await planJson(dir, env, "--detailed-exitcode", "--detect-drift")).code).toBe(0);
  });

  it("a version with another resource bundle made in the UI is drift (exit 6); apply makes one version back", async () => {
    const m = await live();
    // Same files, another bundle: what a UI resource change does (a new version, without a trailer).
    await client.versions.createFromPrevious(m.id, {
      files: [],
      isMajorUpdate: true,
      resourceBundleId: "gpu.large",
    });
    const drift = await planJson(dir, env, "--detect-drift");
    expect(drift.code).toBe(6);
    expect(drift.plan.drift.map((d) => d.subject)).toEqual(["version"]);
    expect(drift.plan.drift[0]?.changes).toEqual([
      { kind: "value", path: "resources.resourceBundleId", before: "gpu.large", after: "cpu.small" },
    ]);
    await resetStats(emu);
    const applied = await cli("apply", "--yes");
    expect(applied.code, applied.stderr).toBe(0);
    const s = await stats(emu);
    expect(versionCreates(s)).toBe(1);
    expect(testRuns(s)).toBe(0);
    expect((await live()).latestVersion?.resourceBundleId).toBe("cpu.small");
    expect((await planJson(dir, env, "--detailed-exitcode", "--detect-drift")).code).toBe(0);
  });

  it("a bundle changed in the manifest is one new version, not drift", async () => {
    const file = join(dir, "manifests/pricer.yaml");
    await writeFile(file, (await readFile(file, "utf8")).replace("bundle: cpu.small", "bundle: cpu.medium"));
    const planned = await planJson(dir, env, "--detect-drift", "--detailed-exitcode");
    expect(planned.code).toBe(2);
    expect(planned.plan.drift).toEqual([]);
    expect(planned.plan.actions.map((a) => a.type)).toEqual(["createVersion"]);
    expect((await cli("apply", "--yes")).code).toBe(0);
    expect((await live()).latestVersion?.resourceBundleId).toBe("cpu.medium");
  });
});
