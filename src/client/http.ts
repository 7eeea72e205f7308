import { randomUUID } from "node:crypto";
import { rename, rm } from "node:fs/promises";
import type { IncomingHttpHeaders } from "node:http";
import { basename, dirname, join } from "node:path";
import { once } from "node:events";
import type { Readable } from "node:stream";
import { setTimeout as delay } from "node:timers/promises";
import got, { RequestError, type Got, type OptionsInit } from "got";
import type { z } from "zod";
import { pipeToFile } from "../file-stream.js";
import { ErrorMapper } from "./error-mapping.js";
import { buildForm, checkUploadLimit, describeUpload, measureUpload, type FormPart } from "./multipart.js";
import { ApiError } from "./errors.js";
import { createLimiter, type Limiter } from "./limiter.js";
import { SecretSet, type Redactor } from "./redact.js";
import { decideRetry, isIdempotent, type HttpMethod, type RetryOptions } from "./retry-policy.js";

export type QueryValue = string | number | boolean | readonly string[] | undefined;
export type Query = Readonly<Record<string, QueryValue>>;

export interface HttpRequest {
  method: HttpMethod;
  /** Relative to the endpoint (`customModels/`), or an absolute URL on the endpoint's origin. */
  path: string;
  query?: Query | undefined;
  /** A JSON body; `undefined` sends none. */
  json?: unknown;
  /** A multipart body, rebuilt from disk for every attempt so retries never send a drained stream. */
  form?: readonly FormPart[] | undefined;
  signal?: AbortSignal | undefined;
  /**
   * Overrides the method's idempotency for retries: true when repeating the request cannot do more
   * than doing it once (a PATCH that sets fields; a create deduplicated by a unique key).
   */
  idempotent?: boolean | undefined;
  /** Bytes of the request body sent so far (uploads); restarts from 0 on a retry. */
  onUploadProgress?: ((progress: UploadProgress) => void) | undefined;
}

export interface UploadProgress {
  transferred: number;
  /** Known for multipart built from files (sizes are known up front). */
  total: number | undefined;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  url: string;
}

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface HttpOptions {
  endpoint: string;
  token: string;
  authScheme: "Bearer" | "Token";
  userAgent: string;
  /** Connect, idle-socket and time-to-first-byte limit of one attempt (not of a whole upload). */
  timeoutMs: number;
  concurrency: number;
  retry: RetryOptions;
  /** One line per request/response/retry, already redacted (DRGITOPS_DEBUG=http). */
  trace?: ((line: string) => void) | undefined;
  sleep?: Sleep | undefined;
  random?: (() => number) | undefined;
  /** The server's upload limit when known: larger multipart bodies are refused before sending. */
  maxUploadBytes?: number | undefined;
}

/** Rate limiting met since it was last taken: 429s (and 503s with Retry-After) and the longest wait. */
export interface Throttling {
  count: number;
  /** The longest Retry-After (or backoff) waited for, in ms; 0 when none. */
  longestWaitMs: number;
}

/** The outcome of one attempt that did not throw: finished, or an HTTP status worth judging. */
type Outcome<T> = { done: T } | { failed: HttpResponse };

const MAX_ERROR_BODY = 64 * 1024;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

/**
 * The only code in drgitops that touches the network: one got instance with got's own retries and
 * redirects off, because retries, 303 handling and error mapping follow API.md rules here.
 */
export class HttpClient {
  readonly endpoint: string;
  readonly redact: Redactor;
  private readonly origin: string;
  private readonly got: Got;
  private readonly limiter: Limiter;
  private readonly sleep: Sleep;
  private readonly random: () => number;
  private throttling: Throttling = { count: 0, longestWaitMs: 0 };

  readonly errors: ErrorMapper;
  /** The token, and the sensitive values the run reads (`addSecrets`). */
  readonly secrets: SecretSet;

  constructor(private readonly options: HttpOptions) {
    this.endpoint = options.endpoint.replace(/\/+$/, "");
    this.origin = new URL(this.endpoint).origin;
    this.secrets = new SecretSet([options.token]);
    this.redact = this.secrets.redact;
    this.errors = new ErrorMapper(this.redact, options.authScheme, options.userAgent);
    this.limiter = createLimiter(options.concurrency);
    this.sleep = options.sleep ?? ((ms, signal) => delay(ms, undefined, signal ? { signal } : {}));
    this.random = options.random ?? Math.random;
    this.got = got.extend({
      retry: { limit: 0 },
      followRedirect: false,
      throwHttpErrors: false,
      http2: false,
      headers: {
        authorization: `${options.authScheme} ${options.token}`,
        "user-agent": options.userAgent,
        accept: "application/json",
      },
      timeout: {
        connect: Math.min(options.timeoutMs, 30_000),
        response: options.timeoutMs,
        socket: options.timeoutMs,
      },
    });
  }

  /** Absolute URL for a request; refuses other origins so the token is never sent elsewhere. */
  url(path: string, query?: Query, method: HttpMethod = "GET"): string {
    const url = /^https?:\/\//i.test(path)
      ? new URL(path)
      : new URL(`${this.endpoint}/${path.replace(/^\/+/, "")}`);
    if (url.origin !== this.origin) {
      throw new ApiError(
        "invalid-response",
        `Refusing to send ${method} ${url.origin}${url.pathname}: the server pointed outside the endpoint's origin ${this.origin}, and the token must not leave it`,
        { method, url: url.href },
      );
    }
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const v of value as readonly string[]) url.searchParams.append(key, v);
      else url.searchParams.set(key, String(value));
    }
    return url.href;
  }

  /**
   * The rate limiting met since the last call, and starts counting afresh: a long-running caller
   * (watch) slows down when the server asks it to.
   */
  takeThrottling(): Throttling {
    const taken = this.throttling;
    this.throttling = { count: 0, longestWaitMs: 0 };
    return taken;
  }

  /** Sends with retries; answers < 400 (including 3xx: redirects are never followed) are returned. */
  async send(req: HttpRequest): Promise<HttpResponse> {
    const url = this.url(req.path, req.query, req.method);
    let upload: string | undefined;
    if (req.form) {
      const size = await measureUpload(req.form);
      checkUploadLimit(size, this.options.maxUploadBytes, `${req.method} ${url}`);
      upload = describeUpload(size);
    }
    return this.withRetries(req, url, upload, async () => {
      const res = await this.once(req, url);
      return res.status < 400 ? { done: res } : { failed: res };
    });
  }

  /** Sends and validates the JSON answer against a wire schema. */
  async json<S extends z.ZodType>(req: HttpRequest, schema: S): Promise<z.infer<S>> {
    const res = this.noRedirect(req.method, await this.send(req));
    return this.parse(req.method, res, schema);
  }

  /** Sends and returns the body as text (logs). */
  async text(req: HttpRequest): Promise<string> {
    return this.noRedirect(req.method, await this.send(req)).body;
  }

  /** API calls never redirect (TF treats one as an error too); the usual cause is http vs https. */
  private noRedirect(method: string, res: HttpResponse): HttpResponse {
    if (res.status < 300) return res;
    const to = res.headers.location ?? "nowhere";
    throw this.errors.invalid(
      method,
      res,
      `answered ${res.status} redirecting to ${to}; API calls are not redirected: check the endpoint URL (https?)`,
    );
  }

  /** The absolute `Location` of an answer, or an error saying it was missing. */
  location(method: string, res: HttpResponse): string {
    const raw = res.headers.location;
    if (raw === undefined || raw === "") {
      throw this.errors.invalid(method, res, `answered ${res.status} without a Location header`);
    }
    return new URL(raw, `${this.endpoint}/`).href;
  }

  /** Streams a GET to `destPath` (temp file + rename: a failed download never leaves a partial file). */
  async download(req: HttpRequest, destPath: string): Promise<{ bytes: number }> {
    const url = this.url(req.path, req.query, req.method);
    return this.withRetries(req, url, undefined, () => this.downloadOnce(req, url, destPath));
  }

  /** `upload` describes a multipart body's files, for the message of a 413. */
  private async withRetries<T>(
    req: HttpRequest,
    url: string,
    upload: string | undefined,
    attempt: () => Promise<Outcome<T>>,
  ): Promise<T> {
    const idempotent = req.idempotent ?? isIdempotent(req.method);
    for (let retries = 0; ; retries++) {
      if (req.signal?.aborted) throw this.errors.aborted(req.method, url);
      this.trace(`-> ${req.method} ${url}${retries > 0 ? ` (retry ${retries})` : ""}`);
      let outcome: Outcome<T>;
      try {
        outcome = await this.limiter.run(attempt);
      } catch (error) {
        if (req.signal?.aborted) throw this.errors.aborted(req.method, url);
        if (!(error instanceof RequestError)) throw error;
        const decision = decideRetry(
          idempotent,
          { kind: "transport", code: error.code },
          retries,
          this.options.retry,
          this.random,
        );
        this.trace(`x  ${req.method} ${url}: ${error.code} ${this.redact(error.message)}`);
        if (!decision.retry) throw this.errors.transportError(req.method, url, error, retries + 1);
        await this.pause(req, url, decision.delayMs, decision.reason);
        continue;
      }
      if ("done" in outcome) return outcome.done;
      const res = outcome.failed;
      const decision = decideRetry(
        idempotent,
        { kind: "status", status: res.status, headers: res.headers },
        retries,
        this.options.retry,
        this.random,
      );
      if (res.status === 429 || (res.status === 503 && res.headers["retry-after"] !== undefined)) {
        this.throttling.count += 1;
        if (decision.retry)
          this.throttling.longestWaitMs = Math.max(this.throttling.longestWaitMs, decision.delayMs);
      }
      if (!decision.retry) throw this.errors.statusError(req.method, res, retries + 1, upload);
      await this.pause(req, url, decision.delayMs, decision.reason);
    }
  }

  private async pause(req: HttpRequest, url: string, ms: number, reason: string): Promise<void> {
    this.trace(`.. ${req.method} ${url}: ${reason}, retrying in ${ms} ms`);
    try {
      await this.sleep(ms, req.signal);
    } catch (error) {
      if (req.signal?.aborted) throw this.errors.aborted(req.method, url);
      throw error;
    }
  }

  private gotOptions(req: HttpRequest, body?: FormData): Omit<OptionsInit, "isStream"> {
    return {
      method: req.method,
      ...(req.signal ? { signal: req.signal } : {}),
      ...(req.json !== undefined ? { json: req.json } : {}),
      ...(body ? { body } : {}),
    };
  }

  private async once(req: HttpRequest, url: string): Promise<HttpResponse> {
    const started = Date.now();
    const body = req.form ? await buildForm(req.form) : undefined;
    const request = this.got(url, { ...this.gotOptions(req, body), responseType: "text" });
    const report = req.onUploadProgress;
    // `on` returns the same request; the await below observes it.
    if (report)
      void request.on("uploadProgress", (p) => report({ transferred: p.transferred, total: p.total }));
    const res = await request;
    const out: HttpResponse = { status: res.statusCode, headers: res.headers, body: res.body, url };
    this.trace(
      `<- ${res.statusCode} ${req.method} ${url} (${Date.now() - started} ms, ${Buffer.byteLength(res.body)} B)`,
    );
    return out;
  }

  /**
   * One download attempt. Redirects are followed here (storage may serve the bytes, as with
   * presigned URLs), but the token goes only to the endpoint's origin and foreign URLs are traced
   * without their query, which may hold a signature.
   */
  private async downloadOnce(
    req: HttpRequest,
    url: string,
    destPath: string,
    hops = 0,
  ): Promise<Outcome<{ bytes: number }>> {
    const started = Date.now();
    const target = new URL(url);
    const foreign = target.origin !== this.origin;
    const shown = foreign ? `${target.origin}${target.pathname}?…` : url;
    const stream = this.got.stream(url, {
      ...this.gotOptions(req),
      ...(foreign ? { headers: { authorization: undefined } } : {}),
    });
    const [response] = (await once(stream, "response")) as [
      { statusCode: number; headers: IncomingHttpHeaders },
    ];
    const location = response.headers.location;
    if (REDIRECTS.has(response.statusCode) && location !== undefined && hops < MAX_REDIRECTS) {
      stream.destroy();
      this.trace(`<- ${response.statusCode} ${req.method} ${shown} (redirect)`);
      return this.downloadOnce(req, new URL(location, url).href, destPath, hops + 1);
    }
    if (response.statusCode >= 300) {
      const body = await readAtMost(stream, MAX_ERROR_BODY);
      this.trace(`<- ${response.statusCode} ${req.method} ${shown} (${Date.now() - started} ms)`);
      return { failed: { status: response.statusCode, headers: response.headers, body, url: shown } };
    }
    const tmp = join(dirname(destPath), `.${basename(destPath)}.${randomUUID()}.part`);
    let bytes = 0;
    stream.on("data", (chunk: Buffer) => (bytes += chunk.length));
    try {
      await pipeToFile([stream], tmp);
      await rename(tmp, destPath);
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
    this.trace(`<- ${response.statusCode} ${req.method} ${shown} (${Date.now() - started} ms, ${bytes} B)`);
    return { done: { bytes } };
  }

  /** Parses a JSON answer against a wire schema (invalid-response on failure). */
  parse<S extends z.ZodType>(method: string, res: HttpResponse, schema: S): z.infer<S> {
    return this.errors.parse(method, res, schema);
  }

  private trace(line: string): void {
    this.options.trace?.(this.redact(`drgitops:http ${line}`));
  }
}

async function readAtMost(stream: Readable, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = chunk as Buffer;
    if (size < max) chunks.push(buf.subarray(0, max - size));
    size += buf.length;
    if (size >= max) {
      stream.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).toString("utf8");
}
