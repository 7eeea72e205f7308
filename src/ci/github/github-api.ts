import type { Got } from "got";
import type { IncomingHttpHeaders } from "node:http";
import { z } from "zod";
import { createRedactor, truncate, type Redactor } from "../../client/redact.js";
import { VERSION } from "../../version.js";
import { CiError } from "../errors.js";
import { PERMISSIONS_HINT } from "./pull-request.js";

/** Knobs of the GitHub client; the defaults suit a CI job. */
export interface GitHubHttpOptions {
  /** Per-request limit (connect, first byte, idle socket). Default 30 s. */
  timeoutMs?: number;
  /** Retries of GET and PATCH on 429/5xx and dropped connections. POST never repeats (no duplicate comment). Default 2. */
  retries?: number;
  signal?: AbortSignal;
}

export type GitHubMethod = "GET" | "POST" | "PATCH";

export interface GitHubAnswer {
  json: unknown;
  headers: IncomingHttpHeaders;
}

/**
 * A tiny GitHub REST client of its own (the DataRobot client's retries, limits and errors follow
 * another API's rules). Every message it produces passes the token redactor, GitHub's text included.
 */
export class GitHubApi {
  readonly redact: Redactor;
  private readonly origin: string;
  /** got is loaded on the first request: `validate` and `plan` without --pr-comment never need it. */
  private got: Promise<Got> | undefined;
  private readonly timeoutMs: number;

  constructor(
    readonly apiUrl: string,
    private readonly token: string,
    private readonly options: GitHubHttpOptions = {},
  ) {
    this.origin = new URL(apiUrl).origin;
    this.redact = createRedactor([token]);
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  private client(): Promise<Got> {
    return (this.got ??= import("got").then(({ default: got }) =>
      got.extend({
        headers: {
          authorization: `Bearer ${this.token}`,
          accept: "application/vnd.github+json",
          "x-github-api-version": "2022-11-28",
          "user-agent": `drgitops/${VERSION}`,
        },
        throwHttpErrors: false,
        // Same-origin redirects only (a renamed repository); the token never follows a foreign one.
        followRedirect: (response) =>
          new URL(response.headers.location ?? "", response.url).origin === this.origin,
        retry: { limit: this.options.retries ?? 2, methods: ["GET", "PATCH"] },
        timeout: { connect: this.timeoutMs, response: this.timeoutMs, socket: this.timeoutMs },
        responseType: "text",
      }),
    ));
  }

  /** `repos/o/r/…` under the API base; an absolute URL (a `Link` header's) must stay on its origin. */
  url(pathOrUrl: string): string {
    const url = /^https?:\/\//i.test(pathOrUrl) ? new URL(pathOrUrl) : new URL(`${this.apiUrl}/${pathOrUrl}`);
    if (url.origin !== this.origin)
      throw new CiError(
        "github-api",
        this.redact(
          `GitHub pointed outside its API origin ${this.origin} (${url.origin}); not following it with the token`,
        ),
      );
    return url.href;
  }

  /** Sends one request; any answer other than 2xx is a CiError with a message saying what to do. */
  async request(method: GitHubMethod, pathOrUrl: string, body?: unknown): Promise<GitHubAnswer> {
    const url = this.url(pathOrUrl);
    let response;
    try {
      const got = await this.client();
      response = await got(url, {
        method,
        ...(body === undefined ? {} : { json: body }),
        ...(this.options.signal ? { signal: this.options.signal } : {}),
      });
    } catch (error) {
      // got's errors carry the request options, Authorization header included: keep none of it.
      const { RequestError } = await import("got");
      const reason = error instanceof RequestError ? (error.code ?? error.message) : String(error);
      const aborted = this.options.signal?.aborted === true;
      throw new CiError(
        "github-api",
        this.redact(
          aborted
            ? `GitHub API ${method} ${url} aborted`
            : `cannot reach the GitHub API at ${this.apiUrl} (${method} ${url}): ${reason}; check GITHUB_API_URL`,
        ),
      );
    }
    const status = response.statusCode;
    if (status >= 200 && status < 300) {
      let json: unknown = null;
      if (response.body !== "") {
        try {
          json = JSON.parse(response.body);
        } catch {
          throw new CiError(
            "github-api",
            this.redact(
              `GitHub API ${method} ${url} answered ${status} with a body that is not JSON: ${truncate(response.body, 200)}`,
            ),
            status,
          );
        }
      }
      return { json, headers: response.headers };
    }
    throw new CiError(
      "github-api",
      this.redact(describeFailure(method, url, status, response.body, response.headers)),
      status,
    );
  }
}

const ErrorBodySchema = z.object({
  message: z.string().optional(),
  errors: z
    .array(
      z.union([
        z.string(),
        z.looseObject({
          field: z.string().optional(),
          message: z.string().optional(),
          code: z.string().optional(),
        }),
      ]),
    )
    .optional(),
});

/** GitHub's error text: `message`, then each of `errors[]` (`field: message`, or its code). */
function gitHubMessage(body: string): string {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return truncate(body, 200);
  }
  const parsed = ErrorBodySchema.safeParse(json);
  if (!parsed.success) return truncate(body, 200);
  const details = (parsed.data.errors ?? []).map((e) =>
    typeof e === "string" ? e : [e.field, e.message ?? e.code].filter((t) => t !== undefined).join(": "),
  );
  return truncate([parsed.data.message ?? "", ...details].filter((t) => t !== "").join("; "), 300);
}

function describeFailure(
  method: string,
  url: string,
  status: number,
  body: string,
  headers: IncomingHttpHeaders,
): string {
  const said = gitHubMessage(body);
  const what = `GitHub API ${method} ${url} failed with ${status}${said === "" ? "" : ` (${said})`}`;
  switch (status) {
    case 401:
      return `${what}: the token was rejected; check that GITHUB_TOKEN holds a valid, unexpired token`;
    case 403:
      return headers["x-ratelimit-remaining"] === "0" || /rate limit/i.test(said)
        ? `${what}: the GitHub API rate limit is exhausted; re-run the job later`
        : `${what}: the token may not comment on this pull request; ${PERMISSIONS_HINT} ` +
            "(on pull requests from forks GITHUB_TOKEN is read-only)";
    case 404:
      return `${what}: repository or pull request not found, or the token lacks pull-requests: write`;
    case 422:
      return `${what}: GitHub refused the comment as invalid`;
    default:
      return status >= 500 ? `${what}: GitHub is failing; re-run the job later` : what;
  }
}
