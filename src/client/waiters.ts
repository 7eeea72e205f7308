import type { z } from "zod";
import type { ResourceContext } from "./context.js";
import { ApiError } from "./errors.js";
import type { HttpClient, HttpRequest, HttpResponse, Sleep } from "./http.js";
import { StatusSchema, type Status } from "./wire/common.js";

/** One observation while waiting, for progress displays. */
export interface WaitProgress {
  /** What is awaited, e.g. "status 1b2c…" or "environment build 65f…". */
  what: string;
  /** The server's state word (RUNNING, processing, in_progress…). */
  state: string;
  message?: string | undefined;
  polls: number;
  elapsedMs: number;
}

export interface WaitOptions {
  signal?: AbortSignal | undefined;
  onProgress?: ((progress: WaitProgress) => void) | undefined;
  /** Overall limit; default from the client (30 minutes). */
  timeoutMs?: number | undefined;
  /** First poll interval (API.md §7: about 1 s), growing ×1.5 up to maxIntervalMs. */
  intervalMs?: number | undefined;
  maxIntervalMs?: number | undefined;
}

export interface PollDefaults {
  timeoutMs: number;
  intervalMs: number;
  maxIntervalMs: number;
}

export const DEFAULT_POLL: PollDefaults = {
  timeoutMs: 30 * 60_000,
  intervalMs: 1_000,
  maxIntervalMs: 10_000,
};

export type PollResult<T> =
  { done: true; value: T } | { done: false; state: string; message?: string | undefined };

/** Polls `check` with growing intervals until done, the timeout, or the signal. */
export async function poll<T>(
  what: string,
  check: () => Promise<PollResult<T>>,
  options: WaitOptions,
  defaults: PollDefaults,
  sleep: Sleep,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? defaults.timeoutMs;
  const maxInterval = options.maxIntervalMs ?? defaults.maxIntervalMs;
  let interval = options.intervalMs ?? defaults.intervalMs;
  const started = Date.now();
  const abortedError = (): ApiError =>
    new ApiError("aborted", `Stopped waiting for ${what}: cancelled`, { method: "GET", url: what });
  for (let polls = 1; ; polls++) {
    if (options.signal?.aborted) throw abortedError();
    const result = await check();
    if (result.done) return result.value;
    const elapsedMs = Date.now() - started;
    options.onProgress?.({ what, state: result.state, message: result.message, polls, elapsedMs });
    if (elapsedMs + interval > timeoutMs) {
      throw new ApiError(
        "wait-timeout",
        `Gave up waiting for ${what} after ${Math.round(elapsedMs / 1000)} s (limit ${Math.round(timeoutMs / 1000)} s); last state ${result.state}. It may still finish: check it in DataRobot or raise the timeout.`,
        { method: "GET", url: what },
      );
    }
    try {
      await sleep(interval, options.signal);
    } catch (error) {
      if (options.signal?.aborted) throw abortedError();
      throw error;
    }
    interval = Math.min(maxInterval, Math.ceil(interval * 1.5));
  }
}

const FAILED = /^(error|abort|expired)/i;

export interface JobResult {
  /** The 303 target: the test, dataset, model or version the job produced. */
  resultUrl: string | undefined;
  status: Status | undefined;
}

/**
 * API.md §7: GET the status URL with redirects off. A redirect means done and points at the result;
 * 200 + ERROR/ABORTED/EXPIRED is a failure carrying the server's message. A 200 COMPLETED without a
 * redirect (not expected, but PY tolerates it) finishes with no result URL.
 */
export async function waitForJob(
  http: HttpClient,
  location: string,
  options: WaitOptions,
  defaults: PollDefaults,
  sleep: Sleep,
): Promise<JobResult> {
  const statusId = location.replace(/\/+$/, "").split("/").pop() ?? location;
  return poll<JobResult>(
    `job ${statusId}`,
    async () => {
      const res = await http.send({ method: "GET", path: location, signal: options.signal });
      if (res.status >= 300 && res.status < 400) {
        return { done: true, value: { resultUrl: http.location("GET", res), status: undefined } };
      }
      const status = http.parse("GET", res, StatusSchema);
      const word = status.status;
      if (FAILED.test(word)) {
        const reason =
          status.message !== undefined && status.message !== null && status.message !== ""
            ? status.message
            : "no reason given";
        throw new ApiError(
          "job-failed",
          `DataRobot job ${statusId} ended ${word.toUpperCase()}: ${http.redact(reason)}`,
          {
            method: "GET",
            url: res.url,
            status: res.status,
            apiMessage: http.redact(reason),
          },
        );
      }
      if (/^completed$/i.test(word)) return { done: true, value: { resultUrl: undefined, status } };
      return { done: false, state: word, message: status.message ?? undefined };
    },
    options,
    defaults,
    sleep,
  );
}

export interface StartedJob {
  /** The 303 target, when the job redirected to one. */
  resultUrl: string | undefined;
  /** The kick-off's answer (some carry the new id in their body). */
  response: HttpResponse;
}

/**
 * API.md §7 kick-off and wait, in one place: send `req`, then wait on its `Location` until the job's
 * 303. With `locationOptional` (codes marked E in §13.11), a 2xx without `Location` counts as done.
 */
export async function startJob(
  ctx: ResourceContext,
  req: HttpRequest,
  wait: WaitOptions,
  options: { locationOptional?: boolean } = {},
): Promise<StartedJob> {
  const response = await ctx.http.send({ ...req, signal: wait.signal });
  if (options.locationOptional === true && !response.headers.location && response.status < 300)
    return { resultUrl: undefined, response };
  const location = ctx.http.location(req.method, response);
  const { resultUrl } = await waitForJob(ctx.http, location, wait, ctx.poll, ctx.sleep);
  return { resultUrl, response };
}

/**
 * startJob, then the result: the 303 target read as `schema`, or `fallback` when the job ended
 * without naming one (API.md §7 tolerates that; each caller knows where else its result is).
 */
export async function runJob<S extends z.ZodType>(
  ctx: ResourceContext,
  req: HttpRequest,
  wait: WaitOptions,
  schema: S,
  fallback: (response: HttpResponse) => Promise<z.infer<S>>,
): Promise<z.infer<S>> {
  const { resultUrl, response } = await startJob(ctx, req, wait);
  if (resultUrl === undefined) return await fallback(response);
  return await ctx.http.json({ method: "GET", path: resultUrl, signal: wait.signal }, schema);
}
