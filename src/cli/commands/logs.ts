import type { JobOutcome, KindOperations, LogFollow, LogSource } from "../../kinds/operations.js";
import { isNothing } from "../../kinds/operations.js";
import { UsageError } from "../../errors.js";
import type { CliContext } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import { addOperateOptions, operateOn, type OperateFlags } from "../operate.js";
import type { RegisterCommand } from "./index.js";

interface LogsFlags extends OperateFlags {
  test?: boolean;
  build?: boolean;
  environment?: boolean;
  follow?: boolean;
}

/** The log flags, each the name of a log source some kind offers. */
const SOURCES = ["test", "build", "environment"] as const;

/** How often `--follow` looks at a running job (API.md §7: about 1 s; a log is not urgent). */
export const FOLLOW_INTERVAL_MS = 2_000;

/** `--follow`'s exit code: what apply would exit with for that job. */
export function followExitCode(outcome: JobOutcome): number {
  if (outcome === "gate-failed") return ExitCode.testGateFailed;
  if (outcome === "failed") return ExitCode.applyPartlyFailed;
  return outcome === "passed" ? ExitCode.ok : ExitCode.error;
}

/**
 * What a tail adds to what was printed: the lines after the longest overlap of the printed end with
 * the tail's start; undefined when they do not overlap (more changed than the tail holds).
 */
export function newInTail(printed: string, tail: string): string | undefined {
  if (tail === "" || printed.endsWith(tail)) return "";
  const seen = printed.split(/(?<=\n)/);
  const lines = tail.split(/(?<=\n)/);
  for (let k = Math.min(seen.length, lines.length); k > 0; k--) {
    const end = seen.slice(-k).join("");
    if (end === lines.slice(0, k).join("")) return lines.slice(k).join("");
  }
  return undefined;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Prints what the job appends to its log until it ends (or ctx.signal aborts); returns how it ended. */
export async function follow(
  ctx: CliContext,
  source: LogFollow,
  printed: string,
  write: (text: string) => void,
  intervalMs: number,
): Promise<JobOutcome | "interrupted"> {
  let shown = printed;
  const show = (text: string): void => {
    if (text === "") return;
    write(text);
    shown += text;
  };
  const catchUp = async (): Promise<void> => {
    const full = await source.full();
    show(full.startsWith(shown) ? full.slice(shown.length) : `\n${full}`);
  };
  for (;;) {
    await sleep(intervalMs, ctx.signal);
    if (ctx.signal.aborted) return "interrupted";
    const state = await source.poll();
    if (!state.running) {
      // The job may have written its last lines between the poll and now: the whole log settles it.
      await catchUp();
      return state.outcome;
    }
    const added = newInTail(shown, await source.tail());
    if (added === undefined) await catchUp();
    else show(added);
  }
}

/** `drgitops logs KEY`: the latest test's log, a dependency build's or an environment build's. */
export const register: RegisterCommand = (program, ctx, run) => {
  const command = program
    .command("logs")
    .description(
      "Print the latest test log of a model (or its dependency build log, or an environment's build log)",
    )
    .argument("<key>", "manifest name or full key (namespace/name)")
    .option("--test", "the latest test's log (the default for a model)")
    .option("--build", "the dependency build log of the model's latest version")
    .option("--environment", "KEY is an execution environment: its latest build log")
    .option("--follow", "while the job runs, keep printing what it logs; end when it ends");
  addOperateOptions(command).addHelpText(
    "after",
    "\nThe log goes to stdout, a line saying whose it is to stderr. The API token and every\n" +
      "`sensitive: true` runtime value the manifests name (when its variable is set) read [REDACTED].\n" +
      "Exit codes: 0 printed; 8 there is no such log yet (no test has run, no build started);\n" +
      "1 error or unknown key. With --follow, how the job ended: 0 passed (a test that only warned\n" +
      "included), 7 the test failed or was cancelled, 4 a build failed.\n",
  );
  command.action((key: string, flags: LogsFlags) =>
    run(async () => {
      const chosen = SOURCES.filter((s) => flags[s] === true);
      if (chosen.length > 1)
        throw new UsageError(`give one of ${chosen.map((s) => `--${s}`).join(", ")}, not several`);
      const wanted = chosen[0];
      const wants = (ops: KindOperations): boolean =>
        wanted === undefined ? ops.logs.length > 0 : ops.logs.some((l) => l.name === wanted);
      return await operateOn(ctx, key, flags, wants, async (found) => {
        const source: LogSource<unknown> | undefined =
          wanted === undefined
            ? found.operations.logs[0]
            : found.operations.logs.find((l) => l.name === wanted);
        if (source === undefined) throw new UsageError(`${found.key} has no logs`);
        const read = await source.read(found.handle, found.args);
        if (isNothing(read)) {
          ctx.stderr.write(`drgitops: ${found.redact(read.nothing)}\n`);
          return ExitCode.nothingToShowOrCancel;
        }
        let endsLine = true;
        const write = (text: string): void => {
          if (text === "") return;
          ctx.stdout.write(found.redact(text));
          endsLine = text.endsWith("\n");
        };
        // A log whose last line has no newline must not run into the shell's prompt.
        const endLine = (): void => {
          if (!endsLine) ctx.stdout.write("\n");
        };
        ctx.stderr.write(`==> ${found.redact(read.title)}\n`);
        write(read.text);
        if (flags.follow !== true) {
          endLine();
          return ExitCode.ok;
        }
        let outcome: JobOutcome | "interrupted" = read.outcome;
        if (read.outcome === "running" && read.follow) {
          ctx.stderr.write("==> following until it ends (Ctrl-C stops following, not the job)\n");
          outcome = await follow(ctx, read.follow, read.text, write, FOLLOW_INTERVAL_MS);
        }
        endLine();
        if (outcome === "interrupted") return ExitCode.error;
        ctx.stderr.write(`==> ended: ${outcome}\n`);
        return followExitCode(outcome);
      });
    }),
  );
};
