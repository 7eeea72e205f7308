import type { Writable } from "node:stream";
import {
  appendStepSummary,
  CiError,
  formatAnnotation,
  isGitHubActions,
  issueAnnotations,
  pullRequestFromEnv,
  upsertPlanComment,
  type UpsertedComment,
} from "../ci/index.js";
import { gitRoot } from "../git/index.js";
import type { Issue } from "../spec/index.js";
import type { CliContext } from "./context.js";

/**
 * What the commands add when they run in CI (DESIGN §12): workflow-command annotations, the job
 * summary and the pull-request comment. The plan's exit code never depends on these: a summary or
 * comment that cannot be written is reported on stderr (and as an annotation), not turned into a
 * failure of a plan that succeeded.
 */

/** The checkout's root, which CI systems name files from: the git root, else the project root. */
export async function repoRootOf(cwd: string, projectRoot: string): Promise<string> {
  return (await gitRoot(cwd)) ?? projectRoot;
}

/**
 * In GitHub Actions, every issue also as `::error`/`::warning` on `stream` (the one the issue lines
 * went to, or stderr when stdout carries a JSON document), placed at its file from the repo root.
 */
export async function annotateIssues(
  ctx: CliContext,
  issues: readonly Issue[],
  stream: Writable,
  projectRoot: string,
): Promise<void> {
  if (!isGitHubActions(ctx.env) || issues.length === 0) return;
  const repoRoot = await repoRootOf(ctx.cwd, projectRoot);
  for (const line of issueAnnotations(issues, { repoRoot })) stream.write(`${line}\n`);
}

/** A CI side effect that failed: on stderr, and as a warning annotation in GitHub Actions. */
function reportCiFailure(ctx: CliContext, what: string, error: unknown): void {
  if (!(error instanceof CiError)) throw error;
  ctx.stderr.write(`drgitops: ${what} failed: ${error.message}\n`);
  if (isGitHubActions(ctx.env))
    ctx.stderr.write(
      `${formatAnnotation({ level: "warning", title: `drgitops ${what}`, message: error.message })}\n`,
    );
}

/** Appends markdown to the GitHub job summary when running in Actions; a failure is reported, never thrown. */
export async function appendJobSummary(ctx: CliContext, markdown: string): Promise<void> {
  if (!isGitHubActions(ctx.env)) return;
  try {
    await appendStepSummary(markdown, ctx.env);
  } catch (error) {
    reportCiFailure(ctx, "job summary", error);
  }
}

/**
 * `--pr-comment` checked before anything is planned or connected: a missing token, repository or
 * pull-request event is a usage problem (exit 1) that no plan should hide.
 */
export async function checkPullRequestContext(ctx: CliContext): Promise<void> {
  await pullRequestFromEnv(ctx.env);
}

/** The comment's subject: one comment per namespace, profile and shard on a pull request. */
export function commentSubject(plan: {
  namespace: string;
  profile?: string | undefined;
  shard?: { index: number; count: number } | undefined;
}): string {
  const profile = plan.profile === undefined ? "" : ` (profile ${plan.profile})`;
  const shard = plan.shard === undefined ? "" : ` [shard ${plan.shard.index}/${plan.shard.count}]`;
  return `${plan.namespace}${profile}${shard}`;
}

/** Upserts the pull-request comment; says where it went, or why not, on stderr. Never throws a CiError. */
export async function postPullRequestComment(
  ctx: CliContext,
  subject: string,
  markdown: string,
): Promise<UpsertedComment | undefined> {
  try {
    const comment = await upsertPlanComment({
      env: ctx.env,
      namespace: subject,
      body: markdown,
      signal: ctx.signal,
    });
    ctx.stderr.write(
      `drgitops: ${comment.action === "created" ? "posted" : "updated"} the pull-request comment ${comment.url}${comment.truncated ? " (cut to GitHub's size limit; the job summary has it all)" : ""}\n`,
    );
    return comment;
  } catch (error) {
    reportCiFailure(ctx, "pull-request comment", error);
    return undefined;
  }
}

/** `::error title=...::message` with the log lines after it, as one annotation (GitHub keeps newlines). */
export function failureAnnotation(title: string, message: string, lines: readonly string[]): string {
  const text = lines.length === 0 ? message : `${message}\n${lines.join("\n")}`;
  return formatAnnotation({ level: "error", title, message: text });
}
