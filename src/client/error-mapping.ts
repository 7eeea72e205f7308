import type { z } from "zod";
import { ApiError, TransportError, type ApiErrorCode, type SentRequest } from "./errors.js";
import type { HttpResponse } from "./http.js";
import { REDACTED, truncate, type Redactor } from "./redact.js";
import { isIdempotent, type HttpMethod } from "./retry-policy.js";
import { ApiErrorBodySchema } from "./wire/common.js";

/**
 * Turns answers and transport failures into ApiError (octokit's RequestError is the model): the
 * API's message and field errors, what came back when it is not JSON, what to do — all redacted.
 */
export class ErrorMapper {
  constructor(
    private readonly redact: Redactor,
    private readonly authScheme: string,
    private readonly userAgent: string,
  ) {}

  /** Parses a JSON answer and validates it against a wire schema. */
  parse<S extends z.ZodType>(method: string, res: HttpResponse, schema: S): z.infer<S> {
    let value: unknown;
    try {
      value = JSON.parse(res.body);
    } catch (error) {
      const type = headerText(res.headers["content-type"]) ?? "no content type";
      const quoted = `"${truncate(this.redact(res.body), 200)}"`;
      const what =
        res.body.trim() === ""
          ? "an empty body"
          : /^\s*[[{]/.test(res.body)
            ? `malformed JSON (${type}): ${quoted}; the answer was cut short or corrupted, retry`
            : `a body that is not JSON (${type}): ${quoted}; check that the endpoint is a DataRobot API URL ending in /api/v2`;
      throw this.invalid(method, res, `answered ${res.status} with ${what}`, error);
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      const issues = parsed.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.length === 0 ? "(root)" : i.path.join(".")}: ${i.message}`)
        .join("; ");
      throw this.invalid(method, res, `answered with JSON that breaks the API contract: ${issues}`);
    }
    return parsed.data;
  }

  invalid(method: string, res: HttpResponse, what: string, cause?: unknown): ApiError {
    return new ApiError("invalid-response", `${method} ${res.url} ${what}`, {
      method,
      url: res.url,
      status: res.status,
      request: this.sentRequest(method, res.url),
      responseSnippet: truncate(this.redact(res.body)),
      cause:
        cause instanceof Error
          ? new TransportError(cause.name, this.redact(cause.message), undefined)
          : undefined,
    });
  }

  /** `upload` describes what a multipart request carried (files and sizes), named on a 413. */
  statusError(method: HttpMethod, res: HttpResponse, attempts: number, upload?: string): ApiError {
    const { apiMessage, fieldErrors, note } = this.readErrorBody(res);
    const fields = Object.entries(fieldErrors).map(([k, v]) => `${k}: ${v}`);
    const message = [
      `DataRobot API ${method} ${res.url} failed with ${res.status}`,
      apiMessage !== undefined ? `: ${apiMessage}` : note,
      fields.length > 0 ? ` (${fields.join("; ")})` : "",
      res.status === 413 && upload !== undefined
        ? `. The server's upload limit was exceeded by this upload: ${upload}`
        : "",
      `. ${hint(method, res.status, attempts)}`,
    ].join("");
    return new ApiError("api-error", message, {
      method,
      url: res.url,
      status: res.status,
      apiMessage,
      fieldErrors,
      request: this.sentRequest(method, res.url),
      responseSnippet: truncate(this.redact(res.body)),
    });
  }

  /** API.md §0.6 body, tolerating HTML pages, plain text and malformed JSON from proxies. */
  private readErrorBody(res: HttpResponse): {
    apiMessage: string | undefined;
    fieldErrors: Record<string, string>;
    note: string;
  } {
    const body = res.body.trim();
    const type = headerText(res.headers["content-type"]) ?? "no content type";
    if (body === "") return { apiMessage: undefined, fieldErrors: {}, note: " with an empty body" };
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      const what = body.startsWith("{")
        ? "malformed JSON"
        : /^<(!doctype|html)/i.test(body)
          ? "an HTML page"
          : `a ${type} body`;
      return {
        apiMessage: undefined,
        fieldErrors: {},
        note: ` and ${what}: "${truncate(this.redact(body), 200)}"`,
      };
    }
    const parsed = ApiErrorBodySchema.safeParse(json);
    if (!parsed.success || parsed.data.message === undefined) {
      return {
        apiMessage: undefined,
        fieldErrors: {},
        note: ` and JSON without a message: "${truncate(this.redact(body), 200)}"`,
      };
    }
    const fieldErrors: Record<string, string> = {};
    for (const [field, reason] of Object.entries(parsed.data.errors ?? {})) {
      fieldErrors[field] = this.redact(typeof reason === "string" ? reason : JSON.stringify(reason));
    }
    return { apiMessage: this.redact(parsed.data.message), fieldErrors, note: "" };
  }

  transportError(
    method: HttpMethod,
    url: string,
    error: { name: string; message: string; code?: string | undefined },
    attempts: number,
  ): ApiError {
    const timeout = error.name === "TimeoutError";
    const code: ApiErrorCode = timeout ? "timeout" : "network-error";
    const tried = attempts > 1 ? ` after ${attempts} attempts` : "";
    const todo = timeout
      ? "the server did not answer in time; raise the timeout or retry later"
      : "check the endpoint URL, your network and proxy settings";
    return new ApiError(
      code,
      `DataRobot API ${method} ${url} failed${tried}: ${this.redact(error.message)} (${error.code}); ${todo}`,
      {
        method,
        url,
        request: this.sentRequest(method, url),
        cause: new TransportError(error.name, this.redact(error.message), error.code),
      },
    );
  }

  aborted(method: string, url: string): ApiError {
    return new ApiError("aborted", `DataRobot API ${method} ${url} was cancelled`, { method, url });
  }

  private sentRequest(method: string, url: string): SentRequest {
    return {
      method,
      url,
      headers: {
        authorization: `${this.authScheme} ${REDACTED}`,
        "user-agent": this.userAgent,
      },
    };
  }
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(", ") : value;
}

function hint(method: HttpMethod, status: number, attempts: number): string {
  if (status === 401)
    return "Check the API token (--token, DATAROBOT_API_TOKEN or drconfig.yaml) and that it belongs to this endpoint.";
  if (status === 403) return "The token's user lacks permission for this resource.";
  if (status === 404) return "The resource does not exist (deleted?) or the endpoint URL is wrong.";
  if (status === 409) return "The resource is in a conflicting state; wait for it to settle and retry.";
  if (status === 413)
    return "The upload is larger than the server accepts; not retried: make it smaller or raise the server's limit.";
  if (status === 422) return "The request was rejected; fix the fields named above.";
  if (status === 429) return `Rate limited; gave up after ${attempts} attempts, retry later.`;
  if (status >= 500) {
    return isIdempotent(method) || attempts > 1
      ? `Server error; gave up after ${attempts} attempts, retry later.`
      : `Server error; ${method} is not idempotent so it was not retried: check whether it took effect, then retry.`;
  }
  return "Unexpected answer.";
}
