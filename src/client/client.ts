import { VERSION } from "../version.js";
import type { ResourceContext } from "./context.js";
import { normaliseEndpoint } from "./endpoint.js";
import { HttpClient, type Sleep } from "./http.js";
import { conversions } from "./resources/conversions.js";
import { credentials } from "./resources/credentials.js";
import { customModelDeployments } from "./resources/custom-model-deployments.js";
import { deployments } from "./resources/deployments.js";
import { modelPackages } from "./resources/model-packages.js";
import { predictionEnvironments } from "./resources/prediction-environments.js";
import { registeredModels } from "./resources/registered-models.js";
import { customModels } from "./resources/custom-models.js";
import { datasets } from "./resources/datasets.js";
import { dependencyBuilds } from "./resources/dependency-builds.js";
import { environmentVersions } from "./resources/environment-versions.js";
import { environments } from "./resources/environments.js";
import { featureImpact } from "./resources/feature-impact.js";
import { status } from "./resources/status.js";
import { tests } from "./resources/tests.js";
import { versions } from "./resources/versions.js";
import { DEFAULT_RETRY, type RetryOptions } from "./retry-policy.js";
import { DEFAULT_POLL, type PollDefaults, type WaitOptions } from "./waiters.js";
import { ApiVersionSchema, type ApiVersion } from "./wire/common.js";
import { z } from "zod";

export interface CreateClientOptions {
  /** With or without /api/v2, with or without trailing slash. */
  endpoint: string;
  token: string;
  /** Requests in flight at once, across every resource of this client (default 8). */
  concurrency?: number | undefined;
  /** Retries after the first attempt (default 5), or the full policy. */
  retries?: number | Partial<RetryOptions> | undefined;
  /** Per-attempt connect / idle / first-byte timeout (default 120 s). */
  timeoutMs?: number | undefined;
  userAgent?: string | undefined;
  /** `Bearer` (default) or `Token` (what the Python client sends). */
  authScheme?: "Bearer" | "Token" | undefined;
  /** Defaults for waiters (first interval ~1 s, growing to 10 s; overall 30 min). */
  poll?: Partial<PollDefaults> | undefined;
  /** Debug sink, one redacted line per request; default: stderr when DRGITOPS_DEBUG=http. */
  trace?: ((line: string) => void) | undefined;
  /** The server's upload limit in bytes, when known: larger uploads are refused before sending. */
  maxUploadBytes?: number | undefined;
  /** Test seams: how to wait between retries/polls and the jitter source. */
  sleep?: Sleep | undefined;
  random?: (() => number) | undefined;
}

/** Builds the client: one HTTP wrapper (one limiter) shared by every resource group. */
export function createClient(options: CreateClientOptions) {
  const retry: RetryOptions =
    typeof options.retries === "number"
      ? { ...DEFAULT_RETRY, limit: options.retries }
      : { ...DEFAULT_RETRY, ...options.retries };
  const http = new HttpClient({
    endpoint: normaliseEndpoint(options.endpoint),
    token: options.token,
    authScheme: options.authScheme ?? "Bearer",
    userAgent: options.userAgent ?? `drgitops/${VERSION}`,
    timeoutMs: options.timeoutMs ?? 120_000,
    concurrency: options.concurrency ?? 8,
    retry,
    // Without an injected sink, DRGITOPS_DEBUG=http still works for any caller (stderr of the process).
    trace: options.trace ?? httpTraceFromEnv(process.env, process.stderr),
    sleep: options.sleep,
    random: options.random,
    maxUploadBytes: options.maxUploadBytes,
  });
  const sleep: Sleep =
    options.sleep ??
    ((ms, signal) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, ms);
        signal?.addEventListener(
          "abort",
          () => {
            clearTimeout(timer);
            reject(signal.reason as Error);
          },
          { once: true },
        );
      }));
  const ctx: ResourceContext = { http, poll: { ...DEFAULT_POLL, ...options.poll }, sleep };
  const statusResource = status(ctx);
  const models = customModels(ctx);
  const modelVersions = versions(ctx);
  return {
    /** Normalised `{origin}/api/v2`; never carries the token. */
    endpoint: http.endpoint,
    customModels: models,
    versions: modelVersions,
    tests: tests(ctx),
    environments: environments(ctx),
    environmentVersions: environmentVersions(ctx),
    dependencyBuilds: dependencyBuilds(ctx),
    datasets: datasets(ctx),
    credentials: credentials(ctx),
    featureImpact: featureImpact(ctx),
    conversions: conversions(ctx),
    modelPackages: modelPackages(ctx),
    registeredModels: registeredModels(ctx),
    predictionEnvironments: predictionEnvironments(ctx),
    deployments: deployments(ctx),
    customModelDeployments: customModelDeployments(ctx),
    status: statusResource,
    /** Training data: model level (§6.1) and a new version with data (§6.2). */
    trainingData: {
      assignToModel: (...args: Parameters<typeof models.assignTrainingData>) =>
        models.assignTrainingData(...args),
      createVersionWithTrainingData: (...args: Parameters<typeof modelVersions.createWithTrainingData>) =>
        modelVersions.createWithTrainingData(...args),
    },
    /** Waits on a 202's Location until its 303; returns the result URL. */
    waitForStatus: (location: string, wait?: WaitOptions) => statusResource.waitFor(location, wait),
    /** GET version/: proves endpoint and token work (PY does this first). */
    apiVersion: (signal?: AbortSignal): Promise<ApiVersion> =>
      http.json({ method: "GET", path: "version/", signal }, ApiVersionSchema),
    /** GET ping (no auth needed on the emulator). */
    ping: async (signal?: AbortSignal): Promise<void> => {
      await http.json({ method: "GET", path: "ping", signal }, z.object({ response: z.string() }));
    },
    /** Redacts the token from any text (for callers that print errors of their own). */
    redact: http.redact,
    /** Values this client must never print either (sensitive runtime values a run reads). */
    addSecrets: (...secrets: string[]): void => http.secrets.add(...secrets),
    /** 429s met since the last call and the longest wait they asked for (watch slows down by it). */
    takeThrottling: () => http.takeThrottling(),
  };
}

export type DataRobotClient = ReturnType<typeof createClient>;

/** `DRGITOPS_DEBUG=http` (or a list containing it, or `*`): a sink writing trace lines to `stderr`. */
export function httpTraceFromEnv(
  env: NodeJS.ProcessEnv,
  stderr: { write(chunk: string): unknown },
): ((line: string) => void) | undefined {
  const wanted = (env.DRGITOPS_DEBUG ?? "").split(/[\s,]+/);
  if (!wanted.includes("http") && !wanted.includes("*")) return undefined;
  return (line) => {
    stderr.write(`${line}\n`);
  };
}
