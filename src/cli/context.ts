import type { Readable, Writable } from "node:stream";

/** What a command may touch of the outside world; injected so commands are testable in-process. */
export interface CliContext {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Read only to confirm `apply` on a terminal. */
  readonly stdin: Readable & { isTTY?: boolean };
  readonly stdout: Writable & { isTTY?: boolean };
  readonly stderr: Writable & { isTTY?: boolean };
  /** Aborted on SIGINT/SIGTERM. */
  readonly signal: AbortSignal;
}

/** A command action returns its exit code; throwing maps to an exit code in main.ts. */
export type CommandAction = () => Promise<number>;
