import type { IncomingHttpHeaders } from "node:http";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD";

export interface RetryOptions {
  /** Retries after the first attempt. */
  limit: number;
  /** First backoff step; each retry doubles it (full jitter). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Retry-After above this is clamped, so a misbehaving proxy cannot park us for hours. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryOptions = {
  limit: 5,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  maxRetryAfterMs: 60_000,
};

const IDEMPOTENT = new Set<HttpMethod>(["GET", "HEAD", "PUT", "DELETE"]);

/** Connection failures worth another try; got reports "socket hang up" as ECONNRESET. */
const TRANSIENT_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EPIPE",
  "ECONNABORTED",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

export const isIdempotent = (method: HttpMethod): boolean => IDEMPOTENT.has(method);

/** Retry-After is delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent/unusable. */
export function parseRetryAfter(headers: IncomingHttpHeaders, now: number = Date.now()): number | undefined {
  const raw = headers["retry-after"];
  if (raw === undefined || raw.trim() === "") return undefined;
  const text = raw.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export type Attempt =
  | { kind: "status"; status: number; headers: IncomingHttpHeaders }
  | { kind: "transport"; code: string | undefined };

export type RetryDecision = { retry: true; delayMs: number; reason: string } | { retry: false };

/**
 * API.md §0.7 and the client brief: 429 (and 503 with Retry-After) on every request, since the
 * server refused before doing anything; other 5xx and connection errors only for idempotent
 * requests, except ECONNREFUSED, which proves nothing was sent. Bodies are always rebuildable here
 * (JSON, or multipart rebuilt from file paths per attempt), so uploads qualify too.
 */
export function decideRetry(
  idempotent: boolean,
  attempt: Attempt,
  retriesDone: number,
  options: RetryOptions,
  random: () => number,
): RetryDecision {
  if (retriesDone >= options.limit) return { retry: false };
  const backoff = (): number =>
    Math.round(random() * Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** retriesDone));
  if (attempt.kind === "status") {
    const retryAfter = parseRetryAfter(attempt.headers);
    if (attempt.status === 429 || (attempt.status === 503 && retryAfter !== undefined)) {
      const delayMs = retryAfter === undefined ? backoff() : Math.min(retryAfter, options.maxRetryAfterMs);
      return { retry: true, delayMs, reason: `${attempt.status}` };
    }
    if (attempt.status >= 500 && idempotent) {
      return { retry: true, delayMs: backoff(), reason: `${attempt.status}` };
    }
    return { retry: false };
  }
  const code = attempt.code ?? "";
  if (TRANSIENT_CODES.has(code) && (idempotent || code === "ECONNREFUSED")) {
    return { retry: true, delayMs: backoff(), reason: code };
  }
  return { retry: false };
}
