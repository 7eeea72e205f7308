import { createHmac, randomBytes } from "node:crypto";
import { setMaxListeners } from "node:events";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import {
  createClient,
  httpTraceFromEnv,
  resolveConnection,
  type DataRobotClient,
  type ProfileConnection,
} from "../client/index.js";
import { DrgitopsError, UsageError } from "../errors.js";
import { makeStateDir, STATE_DIR } from "../spec/state-dir.js";
import type { CliContext } from "./context.js";

/** Where the embedded emulator keeps its data, relative to the project root (DESIGN.md §9). */
export const EMBEDDED_DATA_DIR = join(STATE_DIR, "emulator");

export interface ConnectionOptions {
  /** `--endpoint`; the value `local` asks for the embedded emulator explicitly. */
  endpoint?: string | undefined;
  token?: string | undefined;
  /** The selected drgitops.yaml profile: its endpoint and token variable come after the flags. */
  profile?: ProfileConnection | undefined;
  projectRoot: string;
  /** Absolute path of the project's emulator seed file (credentials, environments), if any. */
  seedFile?: string | undefined;
  parallelism?: number | undefined;
  /** Overrides the home directory searched for `~/.config/datarobot/drconfig.yaml` (tests). */
  homeDir?: string | undefined;
}

export interface Connection {
  client: DataRobotClient;
  /**
   * Key for digests of sensitive values, derived from the API token (the token itself is never
   * used as one): a plan file or trailer holds digests nobody without the token can test guesses against.
   */
  tokenKey: string;
  /** Normalised `.../api/v2` URL; never carries the token. */
  endpoint: string;
  embedded: boolean;
  /** Stops the embedded emulator; a no-op for a remote endpoint. */
  close: () => Promise<void>;
}

/** The embedded emulator runs its jobs in this process and ends them at once: no need to wait 1 s. */
const EMBEDDED_FIRST_POLL_MS = 100;

/**
 * `DRGITOPS_POLL_INTERVAL_MS`: the first wait before a job's status is polled (it then grows ×1.5 up
 * to 10 s). Default 1000 ms against DataRobot (API.md §7), 100 ms on the embedded emulator.
 */
function firstPollMs(env: NodeJS.ProcessEnv): number | undefined {
  const text = env["DRGITOPS_POLL_INTERVAL_MS"];
  if (text === undefined || text === "") return undefined;
  const ms = Number(text);
  if (!Number.isInteger(ms) || ms < 10 || ms > 60_000)
    throw new UsageError(
      `DRGITOPS_POLL_INTERVAL_MS must be a whole number of milliseconds from 10 to 60000, got ${JSON.stringify(text)}`,
    );
  return ms;
}

function tokenKey(token: string): string {
  return createHmac("sha256", token).update("drgitops sensitive values v1").digest("hex");
}

/** The embedded emulator's token, made once and kept with its data (readable by the owner only). */
async function embeddedToken(dataDir: string): Promise<string> {
  const file = join(dataDir, "token");
  const existing = await readFile(file, "utf8").catch(() => undefined);
  if (existing !== undefined && /^[0-9a-f]{48}$/.test(existing.trim())) return existing.trim();
  const token = randomBytes(24).toString("hex");
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, token, { mode: 0o600 });
  return token;
}

/** True when `CI` is set the way CI systems set it (`true`, `1`, any non-empty value but `false`/`0`). */
function inCi(env: NodeJS.ProcessEnv): boolean {
  const value = env["CI"];
  return value !== undefined && value !== "" && value !== "false" && value !== "0";
}

/**
 * True when the connection resolves to a remote endpoint: opening it starts nothing and prints
 * nothing, so a command may open it before it knows whether it will need it.
 */
export function resolvesRemote(
  ctx: CliContext,
  options: Pick<ConnectionOptions, "endpoint" | "token" | "homeDir">,
): boolean {
  try {
    const resolved = resolveConnection({
      endpoint: options.endpoint,
      token: options.token,
      env: ctx.env,
      homeDir: options.homeDir ?? homedir(),
    });
    return resolved?.kind === "remote";
  } catch {
    // An incomplete configuration is reported where the connection is opened, as before.
    return false;
  }
}

/**
 * Connects as DESIGN.md §9 says: flags, environment, config files; with nothing configured and `CI`
 * unset (or with `--endpoint local`) an in-process emulator whose data persists under the project's
 * `.drgitops/emulator/`. In CI nothing configured is an error, so a missing secret never looks like a
 * successful deploy.
 */
export async function openConnection(ctx: CliContext, options: ConnectionOptions): Promise<Connection> {
  const concurrency = Math.max(4, options.parallelism ?? 4);
  // Every request and wait in flight listens for cancellation on this one signal: not a leak.
  setMaxListeners(0, ctx.signal);
  // DRGITOPS_DEBUG=http: one redacted line per request on stderr.
  const trace = httpTraceFromEnv(ctx.env, ctx.stderr);
  // `--endpoint local` (or DATAROBOT_ENDPOINT=local) resolves to kind "local": the embedded emulator.
  const resolved = resolveConnection({
    endpoint: options.endpoint,
    token: options.token,
    profile: options.profile,
    env: ctx.env,
    homeDir: options.homeDir ?? homedir(),
  });
  const pollMs = firstPollMs(ctx.env);
  if (resolved?.kind === "remote") {
    return {
      client: createClient({
        endpoint: resolved.endpoint,
        token: resolved.token,
        concurrency,
        trace,
        ...(pollMs !== undefined ? { poll: { intervalMs: pollMs } } : {}),
      }),
      tokenKey: tokenKey(resolved.token),
      endpoint: resolved.endpoint,
      embedded: false,
      close: () => Promise.resolve(),
    };
  }
  if (resolved === undefined && inCi(ctx.env)) {
    throw new DrgitopsError(
      "no-connection",
      "No DataRobot connection configured and CI is set: set DATAROBOT_ENDPOINT and DATAROBOT_API_TOKEN " +
        "(or pass --endpoint and --token, select a profile with an endpoint, or set DATAROBOT_CONFIG_FILE); to use the embedded emulator in CI " +
        "pass --endpoint local",
    );
  }
  const dataDir = join(options.projectRoot, EMBEDDED_DATA_DIR);
  await makeStateDir(dataDir);
  // Loaded only when needed: fastify and SQLite cost most of the CLI's start-up time.
  const { startEmulator } = await import("../emulator/index.js");
  const emulator = await startEmulator({
    dataDir,
    // The same token every run: digests of sensitive values keyed by it stay valid between runs.
    token: await embeddedToken(dataDir),
    port: 0,
    quiet: true,
    ...(options.seedFile ? { seedFile: options.seedFile } : {}),
  });
  const why =
    resolved === undefined
      ? "no DataRobot endpoint configured"
      : resolved.source === "profile"
        ? `profile ${options.profile?.name ?? "?"}: endpoint local`
        : "--endpoint local";
  ctx.stderr.write(`drgitops: ${why}; using the embedded emulator (data in ${EMBEDDED_DATA_DIR}/)\n`);
  try {
    return {
      client: createClient({
        endpoint: emulator.url,
        token: emulator.token,
        concurrency,
        trace,
        // The embedded emulator's limit is known: a too-large upload fails before it is sent.
        maxUploadBytes: emulator.maxUploadBytes,
        poll: { intervalMs: pollMs ?? EMBEDDED_FIRST_POLL_MS },
      }),
      tokenKey: tokenKey(emulator.token),
      endpoint: emulator.url,
      embedded: true,
      close: () => emulator.stop(),
    };
  } catch (error) {
    // The emulator's server would keep the process alive after the error is reported.
    await emulator.stop();
    throw error;
  }
}
