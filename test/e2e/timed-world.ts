import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient, type CustomModel, type DataRobotClient } from "../../src/client/index.js";
import { startEmulator, type RunningEmulator } from "../../src/emulator/index.js";
import { EXAMPLES, EXAMPLES_NAMESPACE, emulatorEnv, exampleRepo, runCli, type CliResult } from "./harness.js";

/**
 * The examples applied to an emulator whose job duration can change between runs: the emulator is
 * restarted on the same data directory and token (jobs and data survive a restart, DESIGN.md §10),
 * so a suite applies quickly and then has the one test or build it looks at take as long as it needs.
 */
export interface TimedWorld {
  repo: { dir: string; cleanup: () => Promise<void> };
  /** Current emulator, client and CLI environment (they change with each restart). */
  emu: () => RunningEmulator;
  client: () => DataRobotClient;
  env: (extra?: Record<string, string>) => NodeJS.ProcessEnv;
  cli: (...args: string[]) => Promise<CliResult>;
  /** Restarts the emulator so that jobs started from now on take `jobDurationMs`. */
  setJobDuration: (jobDurationMs: number) => Promise<void>;
  model: (name: string) => Promise<CustomModel>;
  /** Starts a test of a model's latest version straight through the API (202, not waited for). */
  startTest: (name: string, datasetName: string) => Promise<void>;
  stop: () => Promise<void>;
}

export async function timedWorld(options: { scenario?: string } = {}): Promise<TimedWorld> {
  const repo = await exampleRepo();
  const dataDir = await mkdtemp(join(tmpdir(), "drgitops-timed-"));
  let scenarioFile: string | undefined;
  if (options.scenario !== undefined) {
    scenarioFile = join(repo.dir, "scenario.yaml");
    await writeFile(scenarioFile, options.scenario);
  }
  const token = "e2e-timed-world-token";
  const start = (jobDurationMs: number) =>
    startEmulator({
      dataDir,
      token,
      jobDurationMs,
      seedFile: join(EXAMPLES, "emulator-seed.yaml"),
      ...(scenarioFile !== undefined ? { scenarioFile } : {}),
      quiet: true,
    });
  let emu = await start(0);
  let client = createClient({ endpoint: emu.url, token });
  const env = (extra: Record<string, string> = {}) => emulatorEnv(emu, repo.dir, extra);
  const cli = (...args: string[]) => runCli(args, { cwd: repo.dir, env: env() });
  const model = async (name: string): Promise<CustomModel> => {
    const found = await client.customModels.findByUserProvidedId(`${EXAMPLES_NAMESPACE}/${name}`);
    if (!found) throw new Error(`model ${name} not found`);
    return found;
  };
  const first = await cli("apply", "--yes");
  if (first.code !== 0) throw new Error(`the first apply exited ${first.code}: ${first.stderr}`);
  return {
    repo,
    emu: () => emu,
    client: () => client,
    env,
    cli,
    model,
    setJobDuration: async (ms) => {
      await emu.stop();
      emu = await start(ms);
      client = createClient({ endpoint: emu.url, token });
    },
    startTest: async (name, datasetName) => startTestThroughApi(emu, client, await model(name), datasetName),
    stop: async () => {
      await emu.stop();
      await rm(dataDir, { recursive: true, force: true });
      await repo.cleanup();
    },
  };
}

/** The emulator scenario the gate tests use: iris-classifier's sideEffects check fails (a warning in `warn` mode). */
export const IRIS_SIDE_EFFECTS_FAIL =
  "models:\n  drgitops-examples/iris-classifier:\n    tests:\n      sideEffects: {outcome: fail, message: writes to /tmp}\n";

/** Replaces `from` with `to` in a file; the text must be there (a silent no-op would hide a broken test). */
export async function editFile(file: string, from: string, to: string): Promise<void> {
  const text = await readFile(file, "utf8");
  if (!text.includes(from)) throw new Error(`${file} does not contain ${JSON.stringify(from)}`);
  await writeFile(file, text.replace(from, to));
}

/** iris-classifier's test runs sideEffects in `fail` mode: with IRIS_SIDE_EFFECTS_FAIL, its gate fails. */
export async function failIrisOnSideEffects(repoDir: string): Promise<void> {
  await editFile(
    join(repoDir, "examples/manifests/iris-classifier.yaml"),
    "    dataset: {ref: iris-test}\n",
    "    dataset: {ref: iris-test}\n    checks: {sideEffects: fail}\n",
  );
}

/** A model in the examples' namespace that no manifest declares. */
export async function createStrayModel(client: DataRobotClient): Promise<void> {
  await client.customModels.create({
    name: "stray",
    targetType: "Regression",
    targetName: "y",
    userProvidedId: `${EXAMPLES_NAMESPACE}/stray`,
  });
}

/** Starts a test of a model's latest version straight through the API (202, not waited for). */
export async function startTestThroughApi(
  emu: { url: string; token: string },
  client: DataRobotClient,
  model: CustomModel,
  datasetName: string,
): Promise<void> {
  let datasetId: string | undefined;
  for await (const d of client.datasets.listAll({}))
    if (d.name.startsWith(`${datasetName}-`)) datasetId = d.datasetId;
  const response = await fetch(`${emu.url}/customModelTests/`, {
    method: "POST",
    headers: { authorization: `Bearer ${emu.token}`, "content-type": "application/json" },
    body: JSON.stringify({
      customModelId: model.id,
      customModelVersionId: model.latestVersion!.id,
      datasetId,
    }),
  });
  if (response.status !== 202) throw new Error(`POST customModelTests/: HTTP ${response.status}`);
}

/** Polls until `check` holds (generous: the machine is shared), failing with `what` otherwise. */
export async function eventually(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}
