import { readFile } from "node:fs/promises";
import { z } from "zod";
import { CiError } from "../errors.js";
import type { CiEnv } from "../env.js";

/** Where a PR comment goes and with what credentials, as read from the runner's environment. */
export interface PullRequestTarget {
  /** REST API base without a trailing slash: `https://api.github.com`, or `https://HOST/api/v3` on GHES. */
  apiUrl: string;
  owner: string;
  repo: string;
  /** The pull request's number (its issue number: PR comments are issue comments). */
  number: number;
  token: string;
}

export const DEFAULT_GITHUB_API_URL = "https://api.github.com";

const EventSchema = z.looseObject({
  pull_request: z.looseObject({ number: z.number().int().positive() }).optional(),
  issue: z
    .looseObject({ number: z.number().int().positive(), pull_request: z.unknown().optional() })
    .optional(),
});

/** What a token needs to comment on a pull request, for error messages. */
export const PERMISSIONS_HINT = "the job needs `permissions: pull-requests: write`";

function required(env: CiEnv, name: string, what: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === "")
    throw new CiError("ci-config", `--pr-comment needs ${name} (${what}), which is not set`);
  return value.trim();
}

/** The PR number of the event payload: `pull_request.number`, or `issue.number` when the issue is a PR. */
async function pullRequestNumber(eventPath: string, eventName: string): Promise<number> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(eventPath, "utf8"));
  } catch (error) {
    const reason =
      error instanceof SyntaxError ? "not JSON" : ((error as NodeJS.ErrnoException).code ?? "unreadable");
    throw new CiError(
      "ci-config",
      `cannot read the event payload ${eventPath} (GITHUB_EVENT_PATH): ${reason}`,
    );
  }
  const event = EventSchema.safeParse(json);
  if (event.success) {
    if (event.data.pull_request !== undefined) return event.data.pull_request.number;
    if (event.data.issue?.pull_request !== undefined) return event.data.issue.number;
  }
  throw new CiError(
    "ci-config",
    `the ${eventName} event is not about a pull request (no pull_request.number in ${eventPath}); ` +
      "run `plan --pr-comment` on pull_request, pull_request_target or issue_comment (on a pull request) events",
  );
}

/**
 * Reads the target of a PR comment from the Actions environment: GITHUB_TOKEN, GITHUB_REPOSITORY
 * (`owner/repo`), GITHUB_EVENT_PATH (the event payload, for the PR number) and GITHUB_API_URL
 * (default https://api.github.com; GitHub Enterprise Server sets its own). Anything missing is a
 * CiError naming the variable.
 */
export async function pullRequestFromEnv(env: CiEnv): Promise<PullRequestTarget> {
  const token = required(
    env,
    "GITHUB_TOKEN",
    `a token allowed to comment; set \`env: GITHUB_TOKEN: \${{ secrets.GITHUB_TOKEN }}\`, and ${PERMISSIONS_HINT}`,
  );
  const repository = required(env, "GITHUB_REPOSITORY", "owner/repo; the Actions runner sets it");
  const [owner, repo, ...rest] = repository.split("/");
  if (owner === undefined || owner === "" || repo === undefined || repo === "" || rest.length > 0)
    throw new CiError("ci-config", `GITHUB_REPOSITORY must be owner/repo, got ${JSON.stringify(repository)}`);
  const eventPath = required(env, "GITHUB_EVENT_PATH", "the event payload file; the Actions runner sets it");
  const number = await pullRequestNumber(eventPath, env["GITHUB_EVENT_NAME"] ?? "current");
  const apiUrl = (env["GITHUB_API_URL"]?.trim() || DEFAULT_GITHUB_API_URL).replace(/\/+$/, "");
  if (!/^https?:\/\//i.test(apiUrl))
    throw new CiError("ci-config", `GITHUB_API_URL must be an http(s) URL, got ${JSON.stringify(apiUrl)}`);
  return { apiUrl, owner, repo, number, token };
}
