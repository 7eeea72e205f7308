import type { DataRobotClient } from "../client/index.js";
import type { LoadedResource } from "../spec/project.js";

/**
 * What an operator does to one live resource besides reconciling it: read the logs of its jobs and
 * cancel a running one (`drgitops logs`, `drgitops cancel`). A kind declares what it has; the
 * commands loop over the registry and never name a kind. Loaded lazily, like a kind's `io`.
 */

export interface OperationArgs {
  client: DataRobotClient;
  namespace: string;
  signal?: AbortSignal | undefined;
}

/** There is nothing to show or cancel, and why ("no test has run on ns/m yet"). */
export interface Nothing {
  nothing: string;
}

export function isNothing(value: object): value is Nothing {
  return "nothing" in value;
}

/** How a log is followed while its job runs. */
export interface LogFollow {
  /** Whether the job still runs, and how it ended once it does not. */
  poll(): Promise<{ running: boolean; outcome: JobOutcome }>;
  /** The end of the log (cheap to poll); may be the whole log where the API has no tail. */
  tail(): Promise<string>;
  /** The whole log. */
  full(): Promise<string>;
}

/**
 * How a job ended, in the executor's words: `passed` includes a test that only warned;
 * `gate-failed` is a failed test (exit 7, as apply), `failed` any other failed job (exit 4, as apply);
 * `unknown`: a state the kind cannot judge.
 */
export type JobOutcome = "passed" | "failed" | "gate-failed" | "running" | "unknown";

/** A LogFollow from how to read the job's outcome now, the end of its log and the whole log. */
export function following(
  outcome: () => Promise<JobOutcome>,
  tail: () => Promise<string>,
  full: () => Promise<string>,
): LogFollow {
  return {
    poll: async () => {
      const now = await outcome();
      return { running: now === "running", outcome: now };
    },
    tail,
    full,
  };
}

export interface LogRead {
  /** One line naming whose log it is: `test 65a1… of version 1.1: failed`. */
  title: string;
  text: string;
  outcome: JobOutcome;
  /** Present when the log can be followed while its job runs. */
  follow?: LogFollow;
}

export interface LogSource<H> {
  /** Its flag (`--test`, `--build`, `--environment`) without the dashes. */
  name: string;
  /** For help and messages: "the latest test's log". */
  describe: string;
  read(handle: H, args: OperationArgs): Promise<LogRead | Nothing>;
}

export interface CancelTarget<H> {
  /** Its flag (`--test`, `--build`) without the dashes. */
  name: string;
  describe: string;
  /** Cancels it if it runs; says what was cancelled, or why nothing was. */
  cancel(handle: H, args: OperationArgs): Promise<{ cancelled: string } | Nothing>;
}

export interface KindOperations<H = unknown> {
  /** The live object with this key (a listing: O(pages)); undefined when there is none. */
  locate(key: string, args: OperationArgs): Promise<H | undefined>;
  /** The logs it has; the first is the default. */
  logs: readonly LogSource<H>[];
  /** What of it can be cancelled; without a flag every running one is. */
  cancel: readonly CancelTarget<H>[];
  /** Values never to print: sensitive values the manifests name, as the environment holds them. */
  secrets?(resources: readonly LoadedResource[], env: Readonly<Record<string, string | undefined>>): string[];
}
