import { DrgitopsError } from "../errors.js";

/** Stable codes of ApiError; callers branch on these, never on message text. */
export type ApiErrorCode =
  | "api-error" // the server answered with an HTTP error status
  | "network-error" // no usable answer: connection refused/reset, DNS, TLS
  | "timeout" // connect, idle socket or response-header timeout
  | "invalid-response" // a 2xx/3xx whose body is not the JSON the contract describes
  | "aborted" // the caller's AbortSignal fired
  | "job-failed" // an asynchronous job ended in ERROR / ABORTED / EXPIRED
  | "wait-timeout"; // a waiter gave up after its overall timeout

/** What was sent, kept for diagnostics; the Authorization header is always redacted. */
export interface SentRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
}

export interface ApiErrorDetails {
  method: string;
  url: string;
  status?: number | undefined;
  apiMessage?: string | undefined;
  fieldErrors?: Record<string, string> | undefined;
  request?: SentRequest | undefined;
  /** The start of the response body (redacted, truncated), for non-JSON answers. */
  responseSnippet?: string | undefined;
  cause?: unknown;
}

/**
 * The one error every failed DataRobot call becomes (octokit's RequestError is the model): status,
 * method, token-free URL, the API's message and field errors, and a sanitized cause.
 */
export class ApiError extends DrgitopsError {
  override readonly code: ApiErrorCode;
  readonly method: string;
  readonly url: string;
  readonly status: number | undefined;
  readonly apiMessage: string | undefined;
  readonly fieldErrors: Record<string, string>;
  readonly request: SentRequest | undefined;
  readonly responseSnippet: string | undefined;

  constructor(code: ApiErrorCode, message: string, details: ApiErrorDetails) {
    super(code, message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.method = details.method;
    this.url = details.url;
    this.status = details.status;
    this.apiMessage = details.apiMessage;
    this.fieldErrors = details.fieldErrors ?? {};
    this.request = details.request;
    this.responseSnippet = details.responseSnippet;
  }
}

/** True for a 404 answer: callers treat it as "gone" (as the Terraform provider does). */
export function isNotFound(error: unknown): error is ApiError {
  return error instanceof ApiError && error.status === 404;
}

/**
 * A transport failure copied without got's request/options objects, which hold the Authorization
 * header and would leak it through `util.inspect(error)`.
 */
export class TransportError extends DrgitopsError {
  /** The system error code (ECONNRESET, ETIMEDOUT...), when there was one. */
  readonly systemCode: string | undefined;
  constructor(name: string, message: string, code: string | undefined) {
    super("transport-error", message);
    this.name = name;
    this.systemCode = code;
  }
}
