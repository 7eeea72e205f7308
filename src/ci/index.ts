/** CI integration (DESIGN §12): what the CLI commands call when they run in GitHub Actions or GitLab. */
export type { CiEnv } from "./env.js";
export { CiError, type CiErrorCode } from "./errors.js";
export { failureDetail, type FailureDetail, type FailureDetailOptions } from "./failure-detail.js";
export { limitMarkdown, type LimitedMarkdown, type MarkdownLimit } from "./markdown-limit.js";
export {
  escapeData,
  escapeProperty,
  formatAnnotation,
  isGitHubActions,
  issueAnnotations,
  type Annotation,
  type AnnotationLevel,
} from "./github/workflow-commands.js";
export { appendStepSummary, STEP_SUMMARY_LIMIT_BYTES } from "./github/step-summary.js";
export { formatOutput, setOutputs } from "./github/outputs.js";
export {
  GITHUB_COMMENT_LIMIT,
  planCommentBody,
  planCommentMarker,
  upsertPlanComment,
  type UpsertedComment,
  type UpsertPlanCommentOptions,
} from "./github/pr-comment.js";
export { pullRequestFromEnv, DEFAULT_GITHUB_API_URL, type PullRequestTarget } from "./github/pull-request.js";
export type { GitHubHttpOptions } from "./github/github-api.js";
export { codeClimateReport, type CodeClimateIssue, type CodeClimateSeverity } from "./gitlab/codeclimate.js";
