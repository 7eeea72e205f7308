import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../src/emulator/index.js";
import {
  EXAMPLES,
  actionsOf,
  emulatorEnv,
  exampleRepo,
  planJson,
  resetStats,
  runCli,
  stats,
} from "./harness.js";

/** POSTs that start a custom model test. */
async function testsStarted(emu: RunningEmulator): Promise<number> {
  const s = await stats(emu);
  return Object.entries(s.requests)
    .filter(([k]) => /^POST \/api\/v2\/customModelTests\/?$/.test(k))
    .reduce((n, [, v]) => n + v, 0);
}

describe("test gate", { timeout: 120_000 }, () => {
  let emu: RunningEmulator;
  let repo: Awaited<ReturnType<typeof exampleRepo>>;
  let env: NodeJS.ProcessEnv;
  const manifest = (): string => join(repo.dir, "examples/manifests/iris-classifier.yaml");
  const cli = (...args: string[]) => runCli(["apply", ...args], { cwd: repo.dir, env });

  beforeAll(async () => {
    repo = await exampleRepo();
    const scenario = join(repo.dir, "scenario.yaml");
    await writeFile(
      scenario,
      "models:\n  drgitops-examples/iris-classifier:\n    tests:\n      sideEffects: {outcome: fail, message: writes to /tmp}\n",
    );
    emu = await startEmulator({
      seedFile: join(EXAMPLES, "emulator-seed.yaml"),
      scenarioFile: scenario,
      quiet: true,
    });
    env = emulatorEnv(emu, repo.dir);
    // sideEffects in `fail` mode: the scripted failure fails the test (in `warn` mode it only warns).
    const text = await readFile(manifest(), "utf8");
    await writeFile(
      manifest(),
      text.replace(
        "    dataset: {ref: iris-test}\n",
        "    dataset: {ref: iris-test}\n    checks: {sideEffects: fail}\n",
      ),
    );
  }, 120_000);
  afterAll(async () => {
    await emu.stop();
    await repo.cleanup();
  });

  it("a failed test exits 7, and a re-run keeps exiting 7 without running the test again", async () => {
    const first = await cli();
    expect(first.code).toBe(7);
    expect(first.stdout).toContain("sideEffects failed: writes to /tmp");
    expect(first.stdout).toMatch(/churn-classifier\s+succeeded/);

    await resetStats(emu);
    const again = await cli();
    expect(again.code).toBe(7);
    expect(again.stdout).toContain("iris-classifier");
    expect(await testsStarted(emu)).toBe(0);
  });

  it("a change of only the test configuration re-runs the test on the same version, which can clear the gate", async () => {
    const text = await readFile(manifest(), "utf8");
    await writeFile(manifest(), text.replace("checks: {sideEffects: fail}", "checks: {sideEffects: skip}"));
    const planned = await planJson(repo.dir, env, "--detailed-exitcode");
    expect(planned.code).toBe(2);
    expect(actionsOf(planned.plan)).toEqual(["runTest drgitops-examples/iris-classifier"]);

    await resetStats(emu);
    const applied = await cli();
    expect(applied.code).toBe(0);
    expect(await testsStarted(emu)).toBe(1);
    expect((await cli()).code).toBe(0);
  });
});
