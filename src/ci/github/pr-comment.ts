import { z } from "zod";
import { CiError } from "../errors.js";
import { limitMarkdown } from "../markdown-limit.js";
import { GitHubApi, type GitHubHttpOptions } from "./github-api.js";
import { pullRequestFromEnv, type PullRequestTarget } from "./pull-request.js";
import type { CiEnv } from "../env.js";

/** GitHub refuses a comment body longer than this many characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;

/** The hidden first line that makes a comment "the plan of this namespace", so a re-run edits it. */
export function planCommentMarker(namespace: string): string {
  // `-->` would end the HTML comment early; namespaces never hold it, but a marker must stay one line.
  return `<!-- drgitops plan: ${namespace.replaceAll("-->", "-- >").replace(/[\r\n]+/g, " ")} -->`;
}

/** Link to the run whose job summary holds the whole plan, when the runner says which run this is. */
function runUrl(env: CiEnv): string | undefined {
  const server = env["GITHUB_SERVER_URL"] ?? "https://github.com";
  const repository = env["GITHUB_REPOSITORY"];
  const runId = env["GITHUB_RUN_ID"];
  if (repository === undefined || runId === undefined || runId === "") return undefined;
  return `${server.replace(/\/+$/, "")}/${repository}/actions/runs/${runId}`;
}

/**
 * The comment's body: the marker line, then the plan's markdown. Over `limit` characters the
 * markdown is cut at a line boundary (open code fences and `<details>` closed) and a note says the
 * full plan is in the job summary.
 */
export function planCommentBody(
  namespace: string,
  markdown: string,
  options: { limit?: number; runUrl?: string | undefined } = {},
): { body: string; truncated: boolean } {
  const head = `${planCommentMarker(namespace)}\n`;
  const where = options.runUrl === undefined ? "the job summary" : `the [job summary](${options.runUrl})`;
  const limited = limitMarkdown(markdown, {
    max: (options.limit ?? GITHUB_COMMENT_LIMIT) - head.length,
    note: `> [!NOTE]\n> This plan is too long for a pull-request comment and was cut here. The full plan is in ${where} of this run.`,
  });
  return { body: head + limited.text, truncated: limited.truncated };
}

const CommentSchema = z.looseObject({
  id: z.number().int(),
  body: z.string().nullish(),
  html_url: z.string(),
});
type Comment = z.infer<typeof CommentSchema>;

function parseAnswer<S extends z.ZodType>(
  api: GitHubApi,
  schema: S,
  json: unknown,
  what: string,
): z.infer<S> {
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    throw new CiError(
      "github-api",
      api.redact(
        `GitHub answered ${what} with unexpected JSON: ${parsed.error.issues[0]?.message ?? "invalid"}`,
      ),
    );
  return parsed.data;
}

/** A pull request's comments are its issue's: `repos/o/r/issues/N`. */
function issuePath(target: PullRequestTarget): string {
  return `repos/${target.owner}/${target.repo}/issues/${target.number}`;
}

/** The `rel="next"` URL of a `Link` header, if any (got is loaded by then: a request was made). */
async function nextPage(header: string | string[] | undefined): Promise<string | undefined> {
  const link = Array.isArray(header) ? header.join(", ") : header;
  if (link === undefined || link === "") return undefined;
  const { parseLinkHeader } = await import("got");
  try {
    return parseLinkHeader(link).find((l) => /^"?next"?$/.test(l.parameters["rel"] ?? ""))?.reference;
  } catch {
    return undefined;
  }
}

/** A quote of the marker (`> <!-- … -->` in a reply) is not the marker: only a first line of its own counts. */
function firstLine(body: string | null | undefined): string | undefined {
  return body?.trimStart().split("\n", 1)[0]?.trim();
}

/** Every comment of the PR whose first line is the marker, across all pages; the newest (highest id) wins. */
async function findPlanComment(
  api: GitHubApi,
  target: PullRequestTarget,
  marker: string,
): Promise<Comment | undefined> {
  let url: string | undefined = `${issuePath(target)}/comments?per_page=100`;
  let found: Comment | undefined;
  for (let pages = 0; url !== undefined; pages++) {
    // A Link loop must not spin forever; 100 pages of 100 comments is beyond any real PR.
    if (pages >= 100)
      throw new CiError(
        "github-api",
        "GitHub kept answering with a next page of comments (100 pages); giving up",
      );
    const answer = await api.request("GET", url);
    const comments = parseAnswer(api, z.array(CommentSchema), answer.json, "the comment list");
    for (const c of comments)
      if (firstLine(c.body) === marker && (found === undefined || c.id > found.id)) found = c;
    url = await nextPage(answer.headers.link);
  }
  return found;
}

export interface UpsertPlanCommentOptions {
  /** The runner's environment: GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_EVENT_PATH, GITHUB_API_URL. */
  env: CiEnv;
  /** The plan's namespace; one comment per namespace per pull request. */
  namespace: string;
  /** The plan rendered as markdown (`renderMarkdown`). */
  body: string;
  signal?: AbortSignal;
  http?: Omit<GitHubHttpOptions, "signal">;
}

export interface UpsertedComment {
  action: "created" | "updated";
  id: number;
  /** The comment's page (`html_url`). */
  url: string;
  /** True when the plan was cut to fit GitHub's limit. */
  truncated: boolean;
}

/**
 * Creates or updates the pull request's plan comment for `namespace`: the newest comment starting
 * with `<!-- drgitops plan: <namespace> -->` is PATCHed, else a new one is POSTed. Missing
 * variables, a non-PR event and GitHub refusals are CiErrors saying what to set; the token is in no
 * message.
 */
export async function upsertPlanComment(options: UpsertPlanCommentOptions): Promise<UpsertedComment> {
  const target = await pullRequestFromEnv(options.env);
  const api = new GitHubApi(target.apiUrl, target.token, {
    ...options.http,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const marker = planCommentMarker(options.namespace);
  const { body, truncated } = planCommentBody(options.namespace, options.body, {
    runUrl: runUrl(options.env),
  });
  const existing = await findPlanComment(api, target, marker);
  const answer =
    existing === undefined
      ? await api.request("POST", `${issuePath(target)}/comments`, { body })
      : await api.request("PATCH", `repos/${target.owner}/${target.repo}/issues/comments/${existing.id}`, {
          body,
        });
  const comment = parseAnswer(api, CommentSchema, answer.json, "the comment");
  return {
    action: existing === undefined ? "created" : "updated",
    id: comment.id,
    url: comment.html_url,
    truncated,
  };
}
