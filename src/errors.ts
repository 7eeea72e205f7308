/**
 * The few error classes drgitops throws on purpose. Each has a stable `code` and the exit code of
 * DESIGN.md §8 it stands for; the CLI is the only place that turns it into a process exit code.
 */
export class DrgitopsError extends Error {
  readonly code: string;
  readonly exitCode: number;
  constructor(code: string, message: string, options?: { cause?: unknown; exitCode?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = options?.exitCode ?? 1;
  }
}

/** Bad command-line usage or configuration (exit 1). */
export class UsageError extends DrgitopsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("usage", message, options);
  }
}
