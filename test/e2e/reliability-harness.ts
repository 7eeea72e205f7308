/**
 * Kill and fault trials (reliability-*.test.ts). The trials are split over several files so that
 * vitest runs them on parallel workers; each file has its own emulator and example repository.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { appendFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type DataRobotClient } from "../../src/client/index.js";
import { startEmulator, type RunningEmulator } from "../../src/emulator/index.js";
import { APPLY_LOCK_NAME } from "../../src/kinds/custom-model/live.js";
import {
  CLI,
  EXAMPLES,
  EXAMPLES_NAMESPACE,
  deploymentOf,
  duplicateReport,
  duplicatesIn,
  emulatorEnv,
  exampleRepo,
  resetStats,
  runCli,
  servedVersion,
  stats,
  writeRequests,
  type CliResult,
} from "./harness.js";

/** Small deterministic PRNG (mulberry32): the kill points are random but reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Starts `apply` and calls `reached(child)` once the server has counted `writes` write requests: the
 * trials kill it there, or a few ms later (no cleanup, no finally blocks, like a lost CI runner).
 * Resolves with its exit code (null when killed).
 */
async function applyWatchingWrites(
  cwd: string,
  env: NodeJS.ProcessEnv,
  counted: () => Promise<number>,
  writes: number,
  reached: (child: ChildProcess) => void,
): Promise<number | null> {
  const child = spawn(process.execPath, [CLI, "apply"], { cwd, env, stdio: "ignore" });
  let done = false;
  const closed = new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      done = true;
      resolve(code);
    });
  });
  try {
    while (!done) {
      if ((await counted()) >= writes) {
        reached(child);
        break;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  return await closed;
}

export async function applyUntilSuccess(
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

/** An emulator seeded with the examples and a temporary copy of the example repository. */
export interface ReliabilityWorld {
  emu: RunningEmulator;
  client: DataRobotClient;
  dir: string;
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

export async function reliabilityWorld(): Promise<ReliabilityWorld> {
  const emu = await startEmulator({
    seedFile: join(EXAMPLES, "emulator-seed.yaml"),
    jobDurationMs: 10,
    quiet: true,
  });
  const repo = await exampleRepo();
  return {
    emu,
    client: createClient({ endpoint: emu.url, token: emu.token }),
    dir: repo.dir,
    env: emulatorEnv(emu, repo.dir),
    async stop() {
      await emu.stop();
      await repo.cleanup();
    },
  };
}

/** One describe block with its own emulator and example repository, and one test run in it. */
export function reliabilitySuite(
  title: string,
  test: string,
  run: (world: ReliabilityWorld) => Promise<void>,
): void {
  describe(title, () => {
    let world: ReliabilityWorld;
    beforeAll(async () => {
      world = await reliabilityWorld();
    }, 120_000);
    afterAll(async () => await world.stop());
    it(test, { timeout: 420_000 }, async () => await run(world));
  });
}

/**
 * `trials` applies of the examples from empty, each SIGKILLed at a random point of its lifetime, and
 * then applied until it succeeds: every trial must converge with no duplicate, and at least
 * `minKilledMidWrite` of the kills must have hit a run that had started writing (or they prove little).
 */
export async function killTrials(
  world: ReliabilityWorld,
  { seed, trials, minKilledMidWrite }: { seed: number; trials: number; minKilledMidWrite: number },
): Promise<void> {
  const { emu, client, dir, env } = world;
  const random = prng(seed);
  const reset = () =>
    fetch(`${emu.origin}/__emulator/reset`, {
      method: "POST",
      headers: { authorization: `Bearer ${emu.token}` },
    });
  // Writes of the run's objects: the namespace lock alone (taken first) does not count.
  const objectWrites = async (): Promise<number> =>
    Object.entries(writeRequests(await stats(emu)))
      .filter(
        ([route]) =>
          route !== "POST /api/v2/customModels/" && route !== "DELETE /api/v2/customModels/:modelId/",
      )
      .reduce((n, [, count]) => n + count, 0);
  // How many object writes a whole apply makes: each kill lands after a random one of them, plus a
  // random few milliseconds (so in the middle of a request too). Counted in writes, not time: on a
  // loaded machine a delay measured once can outlast the next run's writes (4 of 10 hit one).
  await reset();
  await resetStats(emu);
  expect((await runCli(["apply"], { cwd: dir, env })).code).toBe(0);
  const total = await objectWrites();
  const failures: string[] = [];
  let killedMidWrite = 0;
  for (let trial = 0; trial < trials; trial++) {
    await reset();
    await resetStats(emu);
    const after = 1 + Math.floor(random() * (total - 1));
    const killAfter = Math.floor(random() * 30);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const code = await applyWatchingWrites(dir, env, objectWrites, after, (child) => {
      timer = setTimeout(() => child.kill("SIGKILL"), killAfter);
    });
    clearTimeout(timer);
    if (code === null && (await objectWrites()) > 0) killedMidWrite += 1;
    const runs = await applyUntilSuccess(dir, env, 3);
    const duplicates = duplicatesIn(await duplicateReport(client));
    if (runs.at(-1)?.code !== 0 || duplicates.length > 0)
      failures.push(
        `trial ${trial} (killed ${killAfter} ms after write ${after} of ${total}): exit ${runs.at(-1)?.code}; ${duplicates.join(", ")}\n${runs.at(-1)?.stdout.slice(-1500)}`,
      );
  }
  expect(killedMidWrite, "kills that hit a run that had started writing").toBeGreaterThanOrEqual(
    minKilledMidWrite,
  );
  expect(failures).toEqual([]);
  expect((await runCli(["plan", "--detailed-exitcode"], { cwd: dir, env })).code).toBe(0);
}

/**
 * `trials` deploying applies (new version -> registered version -> replacement of both deployed
 * models), each SIGKILLed after a random one of its writes and then applied until it succeeds: one
 * version per change, no duplicate package, registered model or deployment, and each deployment
 * serving its model's latest version. At least `minKilled` runs must really have been killed.
 */
export async function deployKillTrials(
  world: ReliabilityWorld,
  { seed, trials, minKilled }: { seed: number; trials: number; minKilled: number },
): Promise<void> {
  const { emu, client, dir, env } = world;
  const random = prng(seed);
  const models = join(dir, "examples/models");
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
  expect((await applyUntilSuccess(dir, env, 3)).at(-1)?.code).toBe(0);
  // How many writes a whole deploying apply makes: the kills land after a random one of them.
  await change(-1);
  await resetStats(emu);
  expect((await runCli(["apply"], { cwd: dir, env })).code).toBe(0);
  const total = await writes();
  const failures: string[] = [];
  let killed = 0;
  for (let trial = 0; trial < trials; trial++) {
    await change(trial);
    await resetStats(emu);
    const after = 1 + Math.floor(random() * (total - 1));
    const code = await applyWatchingWrites(dir, env, writes, after, (child) => child.kill("SIGKILL"));
    if (code === null) killed += 1;
    const runs = await applyUntilSuccess(dir, env, 3);
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
  expect(killed).toBeGreaterThanOrEqual(minKilled);
  expect(failures).toEqual([]);
  expect((await runCli(["plan", "--detailed-exitcode"], { cwd: dir, env })).code).toBe(0);
}
