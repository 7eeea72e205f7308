import { DrgitopsError } from "../errors.js";

/** Stable codes of CiError; callers branch on these, never on message text. */
export type CiErrorCode =
  | "ci-config" // a variable or event payload the CI feature needs is missing or malformed
  | "ci-io" // a CI file ($GITHUB_STEP_SUMMARY, $GITHUB_OUTPUT) cannot be written
  | "github-api"; // the GitHub API refused a request or could not be reached

/** A CI integration failure (exit 1); the message says what to set or fix, and never holds a token. */
export class CiError extends DrgitopsError {
  override readonly code: CiErrorCode;
  /** The HTTP status GitHub answered, for `github-api` errors that got one. */
  readonly status: number | undefined;
  constructor(code: CiErrorCode, message: string, status?: number) {
    super(code, message);
    this.code = code;
    this.status = status;
  }
}

/** `EACCES: permission denied` → `EACCES`, for messages about files that do not repeat the path. */
export function ioReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return code ?? message;
}
