import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type DataRobotClient } from "../../src/client/index.js";
import { startEmulator, type RunningEmulator } from "../../src/emulator/index.js";
import { EXAMPLES, actionsOf, emulatorEnv, exampleRepo, planJson, runCli } from "./harness.js";

const NS = "drgitops-examples";

// The emulator has no deployments; its scenario file stands in for one on the tagger model.
describe("prune never deletes a deployed model", { timeout: 120_000 }, () => {
  let emu: RunningEmulator;
  let repo: Awaited<ReturnType<typeof exampleRepo>>;
  let env: NodeJS.ProcessEnv;
  let client: DataRobotClient;
  const cli = (...args: string[]) => runCli(args, { cwd: repo.dir, env });
  const liveKeys = async (): Promise<string[]> => {
    const keys: string[] = [];
    for await (const m of client.customModels.listAll({})) if (m.userProvidedId) keys.push(m.userProvidedId);
    return keys.sort();
  };

  beforeAll(async () => {
    repo = await exampleRepo();
    const scenario = join(repo.dir, "scenario.yaml");
    await writeFile(scenario, `models:\n  "${NS}/document-tagger": {deploymentsCount: 2}\n`);
    emu = await startEmulator({
      seedFile: join(EXAMPLES, "emulator-seed.yaml"),
      scenarioFile: scenario,
      quiet: true,
    });
    client = createClient({ endpoint: emu.url, token: emu.token });
    env = emulatorEnv(emu, repo.dir);
    expect((await cli("apply")).code).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await emu.stop();
    await repo.cleanup();
  });

  it("plans the deletion of an undeployed orphan only, and says why the deployed one stays", async () => {
    await rm(join(repo.dir, "examples/manifests/document-tagger.yaml"));
    await rm(join(repo.dir, "examples/manifests/iris-classifier.yaml"));
    const { plan } = await planJson(repo.dir, env, "--prune");
    expect(actionsOf(plan).filter((a) => a.startsWith("deleteModel"))).toEqual([
      `deleteModel ${NS}/iris-classifier`,
    ]);
    const refusal = plan.refusals.find((r) => r.key === `${NS}/document-tagger`);
    expect(refusal?.reason).toMatch(/2 deployment\(s\)/);

    const applied = await cli("apply", "--prune");
    expect(applied.code).toBe(0);
    const keys = await liveKeys();
    expect(keys).toContain(`${NS}/document-tagger`);
    expect(keys).not.toContain(`${NS}/iris-classifier`);
  });
});
