import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type DataRobotClient } from "../../src/client/index.js";
import { startEmulator, type RunningEmulator } from "../../src/emulator/index.js";
import { APPLY_LOCK_NAME } from "../../src/kinds/custom-model/live.js";
import { appendFile } from "node:fs/promises";
import {
  CLI,
  EXAMPLES,
  EXAMPLES_NAMESPACE,
  deploymentOf,
  duplicateReport,
  duplicatesIn,
  servedVersion,
  emulatorEnv,
  exampleRepo,
  resetStats,
  runCli,
  setFaults,
  stats,
  writeRequests,
  type CliResult,
} from "./harness.js";
import { spawn } from "node:child_process";

/** Small deterministic PRNG (mulberry32): the kill points are random but reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Starts `apply` and SIGKILLs it after `ms`: no cleanup, no finally blocks, like a lost CI runner. */
function applyKilledAfter(cwd: string, env: NodeJS.ProcessEnv, ms: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, "apply"], { cwd, env, stdio: "ignore" });
    const timer = setTimeout(() => child.kill("SIGKILL"), ms);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** Starts `apply` and SIGKILLs it as soon as the server has counted `writes` write requests. */
function applyKilledAtWrite(
  cwd: string,
  env: NodeJS.ProcessEnv,
  writes: number,
  counted: () => Promise<number>,
): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, "apply"], { cwd, env, stdio: "ignore" });
    let done = false;
    const watch = async (): Promise<void> => {
      while (!done) {
        if ((await counted()) >= writes) {
          child.kill("SIGKILL");
          return;
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    child.on("error", reject);
    child.on("close", (code) => {
      done = true;
      resolve(code);
    });
    watch().catch(reject);
  });
}

async function applyUntilSuccess(
  cwd: string,
  env: NodeJS.ProcessEnv,
  attempts: number,
): Promise<CliResult[]> {
  const runs: CliResult[] = [];
  for (let i = 0; i < attempts; i++) {
    const r = await runCli(["apply"], { cwd, env });
    runs.push(r);
    if (r.code === 0) break;
  }
  return runs;
}

describe("reliability", { timeout: 120_000 }, () => {
  let emu: RunningEmulator;
  let client: DataRobotClient;
  let repo: Awaited<ReturnType<typeof exampleRepo>>;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    emu = await startEmulator({
      seedFile: join(EXAMPLES, "emulator-seed.yaml"),
      jobDurationMs: 10,
      quiet: true,
    });
    client = createClient({ endpoint: emu.url, token: emu.token });
    repo = await exampleRepo();
    env = emulatorEnv(emu, repo.dir);
  }, 120_000);
  afterAll(async () => {
    await emu.stop();
    await repo.cleanup();
  });

  it(
    "converges under 10% 5xx, 429s and dropped connections, with no duplicates",
    { timeout: 240_000 },
    async () => {
      await setFaults(emu, { errorRate: 0.1, dropRate: 0.05, rateLimit: 25 });
      const runs = await applyUntilSuccess(repo.dir, env, 8);
      await setFaults(emu, { errorRate: 0, dropRate: 0, rateLimit: 0 });
      expect(runs.at(-1)?.code, runs.map((r) => r.stdout.slice(-2000)).join("\n----\n")).toBe(0);
      expect(duplicatesIn(await duplicateReport(client))).toEqual([]);
      expect((await runCli(["plan", "--detailed-exitcode"], { cwd: repo.dir, env })).code).toBe(0);
    },
  );

  it(
    "converges with no duplicates after being killed at random points (20 trials)",
    { timeout: 420_000 },
    async () => {
      const random = prng(20261127);
      const reset = () =>
        fetch(`${emu.origin}/__emulator/reset`, {
          method: "POST",
          headers: { authorization: `Bearer ${emu.token}` },
        });
      // How long a whole apply takes here, so that kills land across its lifetime, writes included.
      await reset();
      const started = Date.now();
      expect((await runCli(["apply"], { cwd: repo.dir, env })).code).toBe(0);
      const fullMs = Date.now() - started;
      const failures: string[] = [];
      let killedMidWrite = 0;
      for (let trial = 0; trial < 20; trial++) {
        await reset();
        await resetStats(emu);
        // The first part of a run only reads (it plans, then plans again under the lock).
        const killAfter = Math.round(fullMs * (0.4 + random() * 0.55));
        const code = await applyKilledAfter(repo.dir, env, killAfter);
        // Writes of the run's objects: the namespace lock alone (taken first) does not count.
        const objectWrites = Object.keys(writeRequests(await stats(emu))).filter(
          (route) =>
            route !== "POST /api/v2/customModels/" && route !== "DELETE /api/v2/customModels/:modelId/",
        );
        if (code === null && objectWrites.length > 0) killedMidWrite += 1;
        const runs = await applyUntilSuccess(repo.dir, env, 3);
        const duplicates = duplicatesIn(await duplicateReport(client));
        if (runs.at(-1)?.code !== 0 || duplicates.length > 0)
          failures.push(
            `trial ${trial} (killed after ${killAfter} ms): exit ${runs.at(-1)?.code}; ${duplicates.join(", ")}\n${runs.at(-1)?.stdout.slice(-1500)}`,
          );
      }
      // Most kills must have hit a run that had started writing, or the trials prove little.
      expect(killedMidWrite).toBeGreaterThanOrEqual(10);
      expect(failures).toEqual([]);
      expect((await runCli(["plan", "--detailed-exitcode"], { cwd: repo.dir, env })).code).toBe(0);
    },
  );

  it(
    "a deploying apply (new version -> registered version -> replacement) killed at random writes converges (12 trials)",
    { timeout: 420_000 },
    async () => {
      const random = prng(20260704);
      const models = join(repo.dir, "examples/models");
      // Each trial changes both deployed models, so every apply runs the whole chain for two of them.
      const change = (trial: number) =>
        Promise.all([
          appendFile(join(models, "churn-classifier/custom.py"), `# retrained ${trial}\n`),
          appendFile(join(models, "document-tagger/custom.py"), `# retrained ${trial}\n`),
        ]);
      const writes = async (): Promise<number> =>
        Object.values(writeRequests(await stats(emu))).reduce((n, v) => n + v, 0);
      const servesLatest = async (): Promise<string[]> => {
        const wrong: string[] = [];
        for (const [deployment, model] of [
          ["churn-prod", "churn-classifier"],
          ["tagger-prod", "document-tagger"],
        ] as const) {
          let latest: string | undefined;
          for await (const m of client.customModels.listAll({}))
            if (m.userProvidedId === `${EXAMPLES_NAMESPACE}/${model}`) latest = m.latestVersion?.id;
          const served = servedVersion(await deploymentOf(client, deployment));
          if (served !== latest) wrong.push(`${deployment} serves ${served}, ${model} is at ${latest}`);
        }
        return wrong;
      };
      expect((await applyUntilSuccess(repo.dir, env, 3)).at(-1)?.code).toBe(0);
      // How many writes a whole deploying apply makes: the kills land after a random one of them.
      await change(-1);
      await resetStats(emu);
      expect((await runCli(["apply"], { cwd: repo.dir, env })).code).toBe(0);
      const total = await writes();
      const failures: string[] = [];
      let killed = 0;
      for (let trial = 0; trial < 12; trial++) {
        await change(trial);
        await resetStats(emu);
        const after = 1 + Math.floor(random() * (total - 1));
        const code = await applyKilledAtWrite(repo.dir, env, after, writes);
        if (code === null) killed += 1;
        const runs = await applyUntilSuccess(repo.dir, env, 3);
        // One version per change: the two changed models have one more version than after the last trial.
        const { versionsPerModel, ...rest } = await duplicateReport(client);
        const duplicates = duplicatesIn({ ...rest, versionsPerModel: {} });
        for (const [key, n] of Object.entries(versionsPerModel)) {
          // A killed run's apply lock stays until the next run that writes takes it over: not a model.
          if (key === `${EXAMPLES_NAMESPACE}/${APPLY_LOCK_NAME}`) continue;
          const changed = /\/(churn-classifier|document-tagger)$/.test(key);
          if (n !== (changed ? trial + 3 : 1)) duplicates.push(`versions of ${key}: ${n}`);
        }
        const wrong = await servesLatest();
        if (runs.at(-1)?.code !== 0 || duplicates.length > 0 || wrong.length > 0)
          failures.push(
            `trial ${trial} (killed after write ${after} of ${total}): exit ${runs.at(-1)?.code}; ${[...duplicates, ...wrong].join(", ")}\n${runs.at(-1)?.stdout.slice(-1500)}`,
          );
      }
      expect(killed).toBeGreaterThanOrEqual(10);
      expect(failures).toEqual([]);
      expect((await runCli(["plan", "--detailed-exitcode"], { cwd: repo.dir, env })).code).toBe(0);
    },
  );
});
