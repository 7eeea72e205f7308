import { execFile, spawn } from "node:child_process";
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import {
  createClient,
  type CustomModel,
  type DataRobotClient,
  type Deployment,
} from "../../src/client/index.js";
import { startEmulator, type RunningEmulator } from "../../src/emulator/index.js";
import { PlanSchema, type Plan } from "../../src/reconcile/plan-file.js";

/** The built CLI: end-to-end tests run exactly what users run (`npm test` builds dist/ first). */
export const CLI = resolve(import.meta.dirname, "../../bin/drgitops.js");
export const EXAMPLES = resolve(import.meta.dirname, "../../examples");
/** The repository's drgitops.yaml: namespace, manifest paths and the emulator seed of the examples. */
export const PROJECT_CONFIG = resolve(import.meta.dirname, "../../drgitops.yaml");

const run = promisify(execFile);

/** Environment for child processes: no inherited DataRobot settings or CI flag, home in the temp dir. */
export function cleanEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  // XDG_CACHE_HOME: the suite's one code cache of the CLI (vitest.config.ts), not one per home.
  for (const name of ["PATH", "SYSTEMROOT", "TMPDIR", "TEMP", "XDG_CACHE_HOME"])
    if (process.env[name]) env[name] = process.env[name];
  return { ...env, HOME: home, NO_COLOR: "1", ...extra };
}

export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run("git", args, {
    cwd,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "e2e",
      GIT_AUTHOR_EMAIL: "e2e@example.com",
      GIT_COMMITTER_NAME: "e2e",
      GIT_COMMITTER_EMAIL: "e2e@example.com",
    },
  });
  return stdout.trim();
}

/** A temporary git repository holding a copy of examples/ and drgitops.yaml, committed, with a GitHub-style remote. */
export async function exampleRepo(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "drgitops-e2e-"));
  await cp(EXAMPLES, join(dir, "examples"), { recursive: true });
  await cp(PROJECT_CONFIG, join(dir, "drgitops.yaml"));
  await git(dir, "init", "-q", "-b", "main");
  await git(dir, "remote", "add", "origin", "https://github.com/acme/models.git");
  await git(dir, "add", ".");
  await git(dir, "commit", "-q", "-m", "examples");
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI asynchronously (an emulator in this process must keep serving meanwhile, so
 * never spawnSync). Resolves with the exit code instead of throwing on non-zero.
 */
export function runCli(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env: options.env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    child.on("error", reject);
    child.on("close", (code, signal) =>
      resolvePromise({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      }),
    );
  });
}

/** Counts of the emulator's admin stats route: requests by "METHOD /route". */
export interface EmulatorStats {
  requests: Record<string, number>;
  bytesReceived: number;
  total: number;
}

export interface EmulatorHandle {
  url: string;
  origin: string;
  token: string;
}

async function admin(emu: EmulatorHandle, method: string, path: string, body?: unknown): Promise<Response> {
  const response = await fetch(`${emu.origin}/__emulator/${path}`, {
    method,
    headers: {
      authorization: `Bearer ${emu.token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${method} /__emulator/${path}: HTTP ${response.status}`);
  return response;
}

export async function stats(emu: EmulatorHandle): Promise<EmulatorStats> {
  return (await (await admin(emu, "GET", "stats")).json()) as EmulatorStats;
}

export async function resetStats(emu: EmulatorHandle): Promise<void> {
  await admin(emu, "POST", "stats/reset");
}

export async function setFaults(emu: EmulatorHandle, faults: Record<string, number>): Promise<void> {
  await admin(emu, "PUT", "faults", faults);
}

/** Requests matching METHOD and a route pattern, e.g. ("PATCH", /versions\/$/). */
export function countRequests(s: EmulatorStats, method: string, route: RegExp): number {
  return Object.entries(s.requests)
    .filter(([k]) => k.startsWith(`${method} `) && route.test(k.slice(method.length + 1)))
    .reduce((n, [, v]) => n + v, 0);
}

/** Requests that can change state: everything but GET/HEAD. */
export function writeRequests(s: EmulatorStats): Record<string, number> {
  return Object.fromEntries(Object.entries(s.requests).filter(([k]) => !/^(GET|HEAD) /.test(k)));
}

/** Environment that points the CLI at an emulator. */
export function emulatorEnv(
  emu: EmulatorHandle,
  home: string,
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  // Jobs here take milliseconds: polling them at 50 ms rather than 1 s keeps the e2e suite short.
  return cleanEnv(home, {
    DATAROBOT_ENDPOINT: emu.url,
    DATAROBOT_API_TOKEN: emu.token,
    DRGITOPS_POLL_INTERVAL_MS: "50",
    ...extra,
  });
}

/** What "no duplicates" means after any sequence of runs: one of each per key or content digest. */
export interface DuplicateReport {
  models: Record<string, number>;
  versionsPerModel: Record<string, number>;
  datasetsByName: Record<string, number>;
  environmentsByName: Record<string, number>;
  environmentVersions: Record<string, number>;
  registeredModelsByName: Record<string, number>;
  /** Registered versions per (registered model, custom model version): one registration each. */
  registeredVersions: Record<string, number>;
  deploymentsByKey: Record<string, number>;
}

async function countBy<T>(
  items: AsyncIterable<T>,
  key: (t: T) => string | undefined,
): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for await (const item of items) {
    const k = key(item);
    if (k !== undefined) out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

/** Counts live objects by identity, straight from the API (not through drgitops' own reading of it). */
export async function duplicateReport(client: DataRobotClient): Promise<DuplicateReport> {
  const models = await countBy(client.customModels.listAll({}), (m) => m.userProvidedId ?? undefined);
  const versionsPerModel: Record<string, number> = {};
  const environmentVersions: Record<string, number> = {};
  for await (const m of client.customModels.listAll({})) {
    let n = 0;
    for await (const _v of client.versions.listAll(m.id)) n += 1;
    versionsPerModel[m.userProvidedId ?? m.id] = n;
  }
  const environments: { id: string; name: string }[] = [];
  for await (const e of client.environments.listAll({ isOwn: true })) environments.push(e);
  for (const e of environments) {
    let n = 0;
    for await (const v of client.environmentVersions.listAll(e.id)) if (v.buildStatus !== "failed") n += 1;
    environmentVersions[e.name] = n;
  }
  return {
    models,
    versionsPerModel,
    datasetsByName: await countBy(client.datasets.listAll({}), (d) => d.name),
    environmentsByName: Object.fromEntries(
      [...new Set(environments.map((e) => e.name))].map((n) => [
        n,
        environments.filter((e) => e.name === n).length,
      ]),
    ),
    environmentVersions,
    registeredModelsByName: await countBy(client.registeredModels.listAll({}), (r) => r.name),
    registeredVersions: await countBy(client.modelPackages.listAll({}), (p) =>
      p.registeredModelId ? `${p.registeredModelId}:${p.modelId ?? "?"}` : undefined,
    ),
    deploymentsByKey: await countBy(client.deployments.listAll({}), (d) => d.userProvidedId ?? undefined),
  };
}

/** Every count in the report is exactly 1. */
export function duplicatesIn(report: DuplicateReport): string[] {
  return Object.entries(report).flatMap(([what, counts]) =>
    Object.entries(counts as Record<string, number>)
      .filter(([, n]) => n !== 1)
      .map(([k, n]) => `${what}: ${k} x${n}`),
  );
}

/** `plan --format json`, parsed with the plan file schema. */
export async function planJson(
  cwd: string,
  env: NodeJS.ProcessEnv,
  ...args: string[]
): Promise<{ code: number; plan: Plan; stderr: string }> {
  const r = await runCli(["plan", "--format", "json", ...args], { cwd, env });
  if (r.code !== 0 && r.code !== 2 && r.code !== 6) throw new Error(`plan exited ${r.code}: ${r.stderr}`);
  return { code: r.code, plan: PlanSchema.parse(JSON.parse(r.stdout)), stderr: r.stderr };
}

/** `type key` of each planned action, e.g. `createVersion drgitops-examples/iris-classifier`. */
export function actionsOf(plan: Plan): string[] {
  return plan.actions.map((a) => `${a.type} ${a.key}`);
}

/** The examples in a temp repo, applied to a fresh emulator: where most end-to-end suites start. */
export interface ExampleWorld {
  emu: RunningEmulator;
  repo: { dir: string; cleanup: () => Promise<void> };
  env: NodeJS.ProcessEnv;
  client: DataRobotClient;
  /** The built CLI in the repo, pointed at the emulator. */
  cli: (...args: string[]) => Promise<CliResult>;
  /** The live model of an example by manifest name; throws when there is none. */
  model: (name: string) => Promise<CustomModel>;
  stop: () => Promise<void>;
}

export const EXAMPLES_NAMESPACE = "drgitops-examples";

/** `scenario` is the emulator scenario file's YAML text (written into the repo). */
export async function exampleWorld(options: { scenario?: string } = {}): Promise<ExampleWorld> {
  const repo = await exampleRepo();
  let scenarioFile: string | undefined;
  if (options.scenario !== undefined) {
    scenarioFile = join(repo.dir, "scenario.yaml");
    await writeFile(scenarioFile, options.scenario);
  }
  const emu = await startEmulator({
    seedFile: join(EXAMPLES, "emulator-seed.yaml"),
    ...(scenarioFile !== undefined ? { scenarioFile } : {}),
    quiet: true,
  });
  const client = createClient({ endpoint: emu.url, token: emu.token });
  const env = emulatorEnv(emu, repo.dir);
  const cli = (...args: string[]) => runCli(args, { cwd: repo.dir, env });
  const model = async (name: string): Promise<CustomModel> => {
    const key = `${EXAMPLES_NAMESPACE}/${name}`;
    for await (const m of client.customModels.listAll({})) if (m.userProvidedId === key) return m;
    throw new Error(`model ${name} not found`);
  };
  const first = await cli("apply");
  if (first.code !== 0)
    throw new Error(`the first apply of the examples exited ${first.code}: ${first.stderr}`);
  return {
    emu,
    repo,
    env,
    client,
    cli,
    model,
    stop: async () => {
      await emu.stop();
      await repo.cleanup();
    },
  };
}

/** The live deployment of an example Deployment manifest, by name (undefined when there is none). */
export async function deploymentOf(client: DataRobotClient, name: string): Promise<Deployment | undefined> {
  const key = `${EXAMPLES_NAMESPACE}/${name}`;
  for await (const d of client.deployments.listAll({})) if (d.userProvidedId === key) return d;
  return undefined;
}

/** The custom model version a deployment's champion is, as DataRobot reports it. */
export function servedVersion(d: Deployment | undefined): string | null {
  return d?.model?.customModelImage?.customModelVersionId ?? null;
}
