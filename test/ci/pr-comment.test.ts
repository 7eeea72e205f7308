import { mkdtemp, rm, writeFile } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CiError } from "../../src/ci/errors.js";
import {
  GITHUB_COMMENT_LIMIT,
  planCommentBody,
  planCommentMarker,
  upsertPlanComment,
} from "../../src/ci/github/pr-comment.js";
import { sendJson, startBareServer, type BareServer, type Received } from "../client/helpers/bare-server.js";

const TOKEN = "ghs_SECRET0123456789abcdefTOKEN";
const PLAN = "### drgitops plan for `acme/models`\n\n**Plan: 1 to create**\n";

interface StoredComment {
  id: number;
  issue: number;
  body: string;
}

/** A stand-in for the GitHub REST API's issue comments, paginated with `Link` like the real one. */
class FakeGitHub {
  comments: StoredComment[] = [];
  nextId = 1000;
  pageSize = 100;
  /** Answer the next requests with these instead (status, JSON body, extra headers). */
  failures: { status: number; body: unknown; headers?: Record<string, string> }[] = [];
  /** Where a `Link: rel="next"` points; default this server. */
  linkOrigin: string | undefined;
  server!: BareServer;

  constructor(readonly prefix: string) {}

  async start(): Promise<this> {
    this.server = await startBareServer((req, res) => this.handle(req, res));
    return this;
  }

  get apiUrl(): string {
    return `${this.server.origin}${this.prefix}`;
  }

  get received(): Received[] {
    return this.server.received;
  }

  add(issue: number, body: string): StoredComment {
    const comment = { id: this.nextId++, issue, body };
    this.comments.push(comment);
    return comment;
  }

  private view(c: StoredComment) {
    return {
      id: c.id,
      body: c.body,
      html_url: `https://github.example/acme/models/pull/${c.issue}#issuecomment-${c.id}`,
    };
  }

  private handle(req: Received, res: ServerResponse): void {
    const failure = this.failures.shift();
    if (failure !== undefined) return sendJson(res, failure.status, failure.body, failure.headers);
    if (req.headers.authorization !== `Bearer ${TOKEN}`)
      return sendJson(res, 401, {
        message: "Bad credentials",
        documentation_url: "https://docs.github.com/rest",
      });
    const url = new URL(req.url, this.server.origin);
    const path = url.pathname.slice(this.prefix.length);
    const list = /^\/repos\/acme\/models\/issues\/(\d+)\/comments$/.exec(path);
    const one = /^\/repos\/acme\/models\/issues\/comments\/(\d+)$/.exec(path);
    if (list && req.method === "GET") {
      const all = this.comments.filter((c) => c.issue === Number(list[1]));
      const size = Math.min(Number(url.searchParams.get("per_page") ?? 30), this.pageSize);
      const page = Number(url.searchParams.get("page") ?? 1);
      const last = Math.max(1, Math.ceil(all.length / size));
      const link = (p: number) => {
        const next = new URL(url.href.replace(this.server.origin, this.linkOrigin ?? this.server.origin));
        next.searchParams.set("page", String(p));
        return next.href;
      };
      const headers: Record<string, string> =
        page < last ? { link: `<${link(page + 1)}>; rel="next", <${link(last)}>; rel="last"` } : {};
      return sendJson(
        res,
        200,
        all.slice((page - 1) * size, page * size).map((c) => this.view(c)),
        headers,
      );
    }
    if (list && req.method === "POST") {
      const { body } = JSON.parse(req.body.toString("utf8")) as { body: string };
      return sendJson(res, 201, this.view(this.add(Number(list[1]), body)));
    }
    if (one && req.method === "PATCH") {
      const comment = this.comments.find((c) => c.id === Number(one[1]));
      if (comment === undefined) return sendJson(res, 404, { message: "Not Found" });
      comment.body = (JSON.parse(req.body.toString("utf8")) as { body: string }).body;
      return sendJson(res, 200, this.view(comment));
    }
    return sendJson(res, 404, { message: "Not Found" });
  }
}

let github: FakeGitHub;
let dir: string;
let env: Record<string, string>;

async function eventFile(payload: unknown): Promise<string> {
  const file = join(dir, `event-${Math.random()}.json`);
  await writeFile(file, JSON.stringify(payload));
  return file;
}

beforeEach(async () => {
  github = await new FakeGitHub("").start();
  dir = await mkdtemp(join(tmpdir(), "drgitops-pr-"));
  env = {
    GITHUB_TOKEN: TOKEN,
    GITHUB_REPOSITORY: "acme/models",
    GITHUB_EVENT_NAME: "pull_request",
    GITHUB_EVENT_PATH: await eventFile({ action: "synchronize", number: 7, pull_request: { number: 7 } }),
    GITHUB_API_URL: github.apiUrl,
    GITHUB_SERVER_URL: "https://github.example",
    GITHUB_RUN_ID: "4242",
  };
});
afterEach(async () => {
  await github.server.close();
  await rm(dir, { recursive: true, force: true });
});

const requests = () => github.received.map((r) => `${r.method} ${r.url}`);
const sentBody = (r: Received) => (JSON.parse(r.body.toString("utf8")) as { body: string }).body;

/** Every text an error can show (message, properties, cause chain) is free of the token. */
function expectNoToken(error: unknown): void {
  expect(inspect(error, { depth: 20, showHidden: true })).not.toContain(TOKEN);
  expect(JSON.stringify(error)).not.toContain(TOKEN);
  expect(String(error)).not.toContain(TOKEN);
}

async function failure(promise: Promise<unknown>): Promise<CiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CiError);
  expectNoToken(error);
  return error as CiError;
}

describe("upsertPlanComment", () => {
  it("creates the comment on the first run, with the marker, auth and GitHub's headers", async () => {
    const result = await upsertPlanComment({ env, namespace: "acme/models", body: PLAN });
    expect(result).toEqual({
      action: "created",
      id: 1000,
      url: "https://github.example/acme/models/pull/7#issuecomment-1000",
      truncated: false,
    });
    expect(requests()).toEqual([
      "GET /repos/acme/models/issues/7/comments?per_page=100",
      "POST /repos/acme/models/issues/7/comments",
    ]);
    const post = github.received[1]!;
    expect(sentBody(post)).toBe(`<!-- drgitops plan: acme/models -->\n${PLAN}`);
    expect(post.headers).toMatchObject({
      authorization: `Bearer ${TOKEN}`,
      accept: "application/vnd.github+json",
      "x-github-api-version": "2022-11-28",
    });
    expect(post.headers["user-agent"]).toMatch(/^drgitops\//);
  });

  it("updates the same comment on the second run instead of adding one", async () => {
    const first = await upsertPlanComment({ env, namespace: "acme/models", body: PLAN });
    const second = await upsertPlanComment({ env, namespace: "acme/models", body: "### new plan\n" });
    expect(second).toMatchObject({ action: "updated", id: first.id, url: first.url });
    expect(requests().slice(2)).toEqual([
      "GET /repos/acme/models/issues/7/comments?per_page=100",
      `PATCH /repos/acme/models/issues/comments/${first.id}`,
    ]);
    expect(github.comments).toEqual([
      { id: first.id, issue: 7, body: "<!-- drgitops plan: acme/models -->\n### new plan\n" },
    ]);
  });

  it("gives another namespace its own comment, and leaves other comments alone", async () => {
    github.add(7, "LGTM");
    github.add(7, "> <!-- drgitops plan: acme/models -->\n> quoted by a reviewer");
    await upsertPlanComment({ env, namespace: "acme/models", body: PLAN });
    await upsertPlanComment({ env, namespace: "acme/dev", body: PLAN });
    await upsertPlanComment({ env, namespace: "acme/dev", body: "dev again\n" });
    expect(github.comments.map((c) => c.body.split("\n")[0])).toEqual([
      "LGTM",
      "> <!-- drgitops plan: acme/models -->",
      "<!-- drgitops plan: acme/models -->",
      "<!-- drgitops plan: acme/dev -->",
    ]);
    expect(github.comments[3]!.body).toBe("<!-- drgitops plan: acme/dev -->\ndev again\n");
    // acme/models is not a prefix match for acme/models-staging, nor the other way round.
    await upsertPlanComment({ env, namespace: "acme/models-staging", body: PLAN });
    expect(github.comments).toHaveLength(5);
  });

  it("follows Link pagination to find the comment on a later page; the newest match wins", async () => {
    github.pageSize = 2;
    for (let i = 0; i < 3; i++) github.add(7, `chatter ${i}`);
    const older = github.add(7, "<!-- drgitops plan: acme/models -->\nold");
    github.add(7, "chatter 3");
    const newer = github.add(7, "<!-- drgitops plan: acme/models -->\nnewer");
    github.add(8, "<!-- drgitops plan: acme/models -->\nanother PR");
    const result = await upsertPlanComment({ env, namespace: "acme/models", body: PLAN });
    expect(result).toMatchObject({ action: "updated", id: newer.id });
    expect(requests()).toEqual([
      "GET /repos/acme/models/issues/7/comments?per_page=100",
      "GET /repos/acme/models/issues/7/comments?per_page=100&page=2",
      "GET /repos/acme/models/issues/7/comments?per_page=100&page=3",
      `PATCH /repos/acme/models/issues/comments/${newer.id}`,
    ]);
    expect(github.comments.find((c) => c.id === older.id)!.body).toMatch(/\nold$/);
  });

  it("works against GitHub Enterprise Server (API under /api/v3)", async () => {
    await github.server.close();
    github = await new FakeGitHub("/api/v3").start();
    const result = await upsertPlanComment({
      env: { ...env, GITHUB_API_URL: `${github.apiUrl}/` },
      namespace: "acme/models",
      body: PLAN,
    });
    expect(result.action).toBe("created");
    expect(requests()).toEqual([
      "GET /api/v3/repos/acme/models/issues/7/comments?per_page=100",
      "POST /api/v3/repos/acme/models/issues/7/comments",
    ]);
  });

  it("takes the PR number from issue.number on an issue_comment event", async () => {
    const event = await eventFile({ issue: { number: 12, pull_request: { url: "…" } }, comment: { id: 1 } });
    await upsertPlanComment({
      env: { ...env, GITHUB_EVENT_NAME: "issue_comment", GITHUB_EVENT_PATH: event },
      namespace: "acme/models",
      body: PLAN,
    });
    expect(requests()[1]).toBe("POST /repos/acme/models/issues/12/comments");
  });

  it("cuts a plan over GitHub's limit, keeping the marker and closing open blocks", async () => {
    const huge = [
      "### drgitops plan",
      "<details><summary>acme/models/big: 1 action</summary>",
      "",
      "    ```diff",
      ...Array.from({ length: 4000 }, (_, i) => `    +row ${i} ${"x".repeat(20)}`),
      "    ```",
      "</details>",
    ].join("\n");
    const result = await upsertPlanComment({ env, namespace: "acme/models", body: huge });
    expect(result.truncated).toBe(true);
    const body = sentBody(github.received[1]!);
    expect(body.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(body.length).toBeGreaterThan(GITHUB_COMMENT_LIMIT - 500);
    expect(body.startsWith("<!-- drgitops plan: acme/models -->\n### drgitops plan\n")).toBe(true);
    expect(body).toMatch(
      /\+row \d+ x+\n {4}```\n\n<\/details>\n\n> \[!NOTE\]\n> This plan is too long for a pull-request comment and was cut here\. The full plan is in the \[job summary\]\(https:\/\/github\.example\/acme\/models\/actions\/runs\/4242\) of this run\.\n$/,
    );
    // A second run finds the cut comment by its marker.
    expect((await upsertPlanComment({ env, namespace: "acme/models", body: huge })).action).toBe("updated");
  });

  it("reports 401 clearly and redacts the token, even when GitHub echoes it", async () => {
    github.failures.push({ status: 401, body: { message: `Bad credentials for ${TOKEN}` } });
    const error = await failure(upsertPlanComment({ env, namespace: "acme/models", body: PLAN }));
    expect(error.status).toBe(401);
    expect(error.message).toBe(
      `GitHub API GET ${github.apiUrl}/repos/acme/models/issues/7/comments?per_page=100 failed with 401 ` +
        "(Bad credentials for [REDACTED]): the token was rejected; check that GITHUB_TOKEN holds a valid, unexpired token",
    );
  });

  it("reports 404 as a missing repository, pull request or permission", async () => {
    const error = await failure(
      upsertPlanComment({
        env: { ...env, GITHUB_REPOSITORY: "acme/other" },
        namespace: "acme/models",
        body: PLAN,
      }),
    );
    expect(error.status).toBe(404);
    expect(error.message).toMatch(
      /failed with 404 \(Not Found\): repository or pull request not found, or the token lacks pull-requests: write$/,
    );
  });

  it("reports 403 (permissions, rate limit) and 422 (GitHub's field errors) clearly", async () => {
    github.failures.push({ status: 403, body: { message: "Resource not accessible by integration" } });
    let error = await failure(upsertPlanComment({ env, namespace: "acme/models", body: PLAN }));
    expect(error.message).toMatch(/403 \(Resource not accessible by integration\): .*pull-requests: write/);
    github.failures.push({
      status: 403,
      body: { message: "API rate limit exceeded" },
      headers: { "x-ratelimit-remaining": "0" },
    });
    error = await failure(upsertPlanComment({ env, namespace: "acme/models", body: PLAN }));
    expect(error.message).toMatch(/rate limit is exhausted; re-run the job later$/);
    github.failures.push({ status: 200, body: [] });
    github.failures.push({
      status: 422,
      body: {
        message: "Validation Failed",
        errors: [{ resource: "IssueComment", field: "body", code: "too_long" }],
      },
    });
    error = await failure(upsertPlanComment({ env, namespace: "acme/models", body: PLAN }));
    expect(error.message).toMatch(
      /^GitHub API POST .*\/issues\/7\/comments failed with 422 \(Validation Failed; body: too_long\): GitHub refused the comment as invalid$/,
    );
  });

  /** [what is wrong, how the environment changes (undefined: unset), the message] */
  const misconfigured: [string, (dir: string) => Promise<Record<string, string | undefined>>, RegExp][] = [
    [
      "no token",
      () => Promise.resolve({ GITHUB_TOKEN: undefined }),
      /^--pr-comment needs GITHUB_TOKEN .*secrets\.GITHUB_TOKEN.*pull-requests: write/,
    ],
    [
      "no event file variable",
      () => Promise.resolve({ GITHUB_EVENT_PATH: undefined }),
      /^--pr-comment needs GITHUB_EVENT_PATH/,
    ],
    [
      "a missing event file",
      (d) => Promise.resolve({ GITHUB_EVENT_PATH: join(d, "nope.json") }),
      /^cannot read the event payload .*nope\.json \(GITHUB_EVENT_PATH\): ENOENT$/,
    ],
    [
      "a push event",
      async () => ({
        GITHUB_EVENT_NAME: "push",
        GITHUB_EVENT_PATH: await eventFile({ ref: "refs/heads/main" }),
      }),
      /^the push event is not about a pull request/,
    ],
    [
      "an issue_comment on an issue",
      async () => ({
        GITHUB_EVENT_NAME: "issue_comment",
        GITHUB_EVENT_PATH: await eventFile({ issue: { number: 3 } }),
      }),
      /^the issue_comment event is not about a pull request/,
    ],
    [
      "no repository",
      () => Promise.resolve({ GITHUB_REPOSITORY: undefined }),
      /^--pr-comment needs GITHUB_REPOSITORY/,
    ],
    [
      "a malformed repository",
      () => Promise.resolve({ GITHUB_REPOSITORY: "acme" }),
      /^GITHUB_REPOSITORY must be owner\/repo, got "acme"$/,
    ],
    [
      "a malformed API URL",
      () => Promise.resolve({ GITHUB_API_URL: "api.github.com" }),
      /^GITHUB_API_URL must be an http\(s\) URL/,
    ],
  ];

  it.each(misconfigured)("names what to fix, before any request, for %s", async (_what, change, message) => {
    const changed: Record<string, string | undefined> = { ...env, ...(await change(dir)) };
    const error = await failure(upsertPlanComment({ env: changed, namespace: "n", body: PLAN }));
    expect(error.code).toBe("ci-config");
    expect(error.message).toMatch(message);
    expect(github.received).toEqual([]);
  });

  it("retries a failing list call, but never repeats a POST (no duplicate comment)", async () => {
    github.failures.push({ status: 502, body: { message: "Bad Gateway" } });
    const result = await upsertPlanComment({
      env,
      namespace: "acme/models",
      body: PLAN,
      http: { retries: 1 },
    });
    expect(result.action).toBe("created");
    expect(requests().filter((r) => r.startsWith("GET"))).toHaveLength(2);
    github.received.length = 0;
    github.comments = [];
    github.failures.push({ status: 200, body: [] }, { status: 502, body: { message: "Bad Gateway" } });
    const error = await failure(
      upsertPlanComment({ env, namespace: "acme/models", body: PLAN, http: { retries: 1 } }),
    );
    expect(error.message).toMatch(
      /POST .* failed with 502 \(Bad Gateway\): GitHub is failing; re-run the job later$/,
    );
    expect(requests().filter((r) => r.startsWith("POST"))).toHaveLength(1);
  });

  it("reports an unreachable API without the token", async () => {
    await github.server.close();
    const error = await failure(
      upsertPlanComment({ env, namespace: "acme/models", body: PLAN, http: { retries: 0 } }),
    );
    expect(error.message).toMatch(
      /^cannot reach the GitHub API at http:\/\/127\.0\.0\.1:\d+ .*ECONNREFUSED; check GITHUB_API_URL$/,
    );
    github = await new FakeGitHub("").start();
  });

  it("never sends the token to another origin named by a Link header", async () => {
    github.pageSize = 1;
    github.add(7, "one");
    github.add(7, "two");
    github.linkOrigin = "http://127.0.0.2:9";
    const error = await failure(upsertPlanComment({ env, namespace: "acme/models", body: PLAN }));
    expect(error.message).toMatch(/pointed outside its API origin/);
    expect(github.received).toHaveLength(1);
  });
});

describe("planCommentBody", () => {
  it("starts with the hidden marker line and is unchanged when short", () => {
    expect(planCommentMarker("acme/models")).toBe("<!-- drgitops plan: acme/models -->");
    expect(planCommentBody("acme/models", PLAN)).toEqual({
      body: `<!-- drgitops plan: acme/models -->\n${PLAN}`,
      truncated: false,
    });
  });

  it("keeps the marker one HTML comment whatever the namespace holds", () => {
    expect(planCommentMarker("a-->b\nc")).toBe("<!-- drgitops plan: a-- >b c -->");
  });

  it("points at the job summary when the run is unknown", () => {
    const { body } = planCommentBody("n", "line\n".repeat(100), { limit: 200 });
    expect(body.length).toBeLessThanOrEqual(200);
    expect(body).toMatch(/The full plan is in the job summary of this run\.\n$/);
  });
});
