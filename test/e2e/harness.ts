import { execFile, spawn } from "node:child_process";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";

/** The built CLI: end-to-end tests run exactly what users run (`npm test` builds dist/ first). */
export const CLI = resolve(import.meta.dirname, "../../bin/drgitops.js");
export const EXAMPLES = resolve(import.meta.dirname, "../../examples");
/** The repository's drgitops.yaml: namespace, manifest paths and the emulator seed of the examples. */
export const PROJECT_CONFIG = resolve(import.meta.dirname, "../../drgitops.yaml");

const run = promisify(execFile);

/** Environment for child processes: no inherited DataRobot settings or CI flag, home in the temp dir. */
export function cleanEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of ["PATH", "SYSTEMROOT", "TMPDIR", "TEMP"])
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
  return cleanEnv(home, { DATAROBOT_ENDPOINT: emu.url, DATAROBOT_API_TOKEN: emu.token, ...extra });
}
