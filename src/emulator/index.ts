import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyRequest } from "fastify";
import type { FaultSettings } from "./admin.js";
import { Faults, RequestStats } from "./admin.js";
import { BlobStore } from "./blobs.js";
import type { EmulatorConfig, EmulatorContext } from "./context.js";
import { loadScenarioFile } from "./domain/scenario.js";
import { newObjectId, nowMicros } from "./http/clock.js";
import { createJobRunner } from "./jobs/runner.js";
import { applySeed, DEFAULT_BUILTIN_IDS, loadSeedFile } from "./seed.js";
import { buildServer } from "./server.js";
import { clearAllTables, closeDatabase, openDatabase } from "./store/db.js";

export interface EmulatorOptions {
  /** 0 (default) = a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Where the database and blobs live; undefined = a temp dir removed by stop(). */
  dataDir?: string;
  /** Default: a random token, returned (and printed by the CLI). */
  token?: string;
  jobDurationMs?: number;
  scenarioFile?: string;
  seedFile?: string;
  /** Default 1 GiB. */
  maxUploadBytes?: number;
  faults?: Partial<FaultSettings>;
  /** Base for generated URLs (`Location`, `next`), e.g. `https://dr.example.com`. */
  publicUrl?: string;
  /** Id of the built-in Python 3.11 environment. */
  builtinEnvironmentId?: string;
  /** Id of the built-in prediction environment deployments use by default (API.md §13.4). */
  builtinPredictionEnvironmentId?: string;
  username?: string;
  /** Accepted for callers that pass it; the library itself never prints (the CLI does). */
  quiet?: boolean;
}

export interface RunningEmulator {
  /** `http://127.0.0.1:PORT/api/v2` */
  url: string;
  /** `http://127.0.0.1:PORT` (admin routes live under `/__emulator/`). */
  origin: string;
  token: string;
  dataDir: string;
  /** Request bodies above this get 413; give it to the client (`maxUploadBytes`) to check first. */
  maxUploadBytes: number;
  stop(): Promise<void>;
}

export const DEFAULT_MAX_UPLOAD_BYTES = 1024 ** 3;

function apiBase(publicUrl: string): string {
  const trimmed = publicUrl.replace(/\/+$/, "").replace(/\/api\/v2$/, "");
  return `${trimmed}/api/v2/`;
}

/** Starts a DataRobot API emulator (DESIGN.md §10) and resolves once it listens. */
export async function startEmulator(opts: EmulatorOptions = {}): Promise<RunningEmulator> {
  const temporary = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), "drgitops-emulator-"));
  mkdirSync(dataDir, { recursive: true });
  const seed = opts.seedFile ? loadSeedFile(opts.seedFile) : { credentials: [], environments: [] };
  const scenario = opts.scenarioFile ? loadScenarioFile(opts.scenarioFile) : undefined;
  const token = opts.token ?? randomBytes(24).toString("hex");
  const db = openDatabase(join(dataDir, "emulator.db"));
  const blobs = new BlobStore(join(dataDir, "blobs"));
  await blobs.clearTemp();
  const config: EmulatorConfig = {
    jobDurationMs: opts.jobDurationMs ?? 0,
    username: opts.username ?? "emulator@example.com",
    maxUploadBytes: opts.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
    ...(opts.publicUrl ? { publicUrl: opts.publicUrl } : {}),
    ...(scenario ? { scenario } : {}),
  };
  const jobs = createJobRunner({ db, defaultDurationMs: config.jobDurationMs });
  const ctx: EmulatorContext = {
    db,
    blobs,
    jobs,
    config,
    now: nowMicros,
    newId: newObjectId,
    baseUrl: (req: FastifyRequest) =>
      apiBase(config.publicUrl ?? `${req.protocol}://${req.headers.host ?? req.hostname}`),
    tx: <T>(fn: () => T): T => db.transaction(fn)(),
  };
  const builtinIds = {
    environmentId: opts.builtinEnvironmentId ?? DEFAULT_BUILTIN_IDS.environmentId,
    predictionEnvironmentId:
      opts.builtinPredictionEnvironmentId ?? DEFAULT_BUILTIN_IDS.predictionEnvironmentId,
  };
  applySeed(ctx, seed, builtinIds);
  const app = await buildServer(ctx, {
    tokens: [token],
    admin: {
      faults: new Faults(opts.faults),
      stats: new RequestStats(),
      reset: async () => {
        clearAllTables(db);
        await blobs.clear();
        applySeed(ctx, seed, builtinIds);
      },
    },
  });
  const host = opts.host ?? "127.0.0.1";
  try {
    await app.listen({ port: opts.port ?? 0, host });
  } catch (error) {
    // Undo the start: the job ticker, the database and a temporary data dir.
    await app.close();
    closeDatabase(db);
    if (temporary) rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : (opts.port ?? 0);
  const shownHost =
    host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  const origin = `http://${shownHost}:${port}`;
  let stopped: Promise<void> | undefined;
  return {
    url: `${origin}/api/v2`,
    origin,
    token,
    dataDir,
    maxUploadBytes: config.maxUploadBytes,
    stop: () =>
      (stopped ??= (async () => {
        await app.close();
        await jobs.stop();
        closeDatabase(db);
        if (temporary) rmSync(dataDir, { recursive: true, force: true });
      })()),
  };
}
