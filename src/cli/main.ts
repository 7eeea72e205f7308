import { Command, CommanderError } from "commander";
import { DrgitopsError } from "../errors.js";
import { commandsFor, type RegisterCommand } from "./commands/index.js";
import type { CliContext, CommandAction } from "./context.js";
import { ExitCode } from "./exit-codes.js";
import { VERSION } from "../version.js";

/** Maps an error thrown by a command to an exit code. Other errors are internal errors (1). */
export function exitCodeForError(error: unknown): number {
  return error instanceof DrgitopsError ? error.exitCode : ExitCode.error;
}

export function buildProgram(
  ctx: CliContext,
  record: (code: number) => void,
  commands: readonly RegisterCommand[],
): Command {
  const program = new Command("drgitops")
    .description("Declarative GitOps for DataRobot custom inference models")
    .version(VERSION, "-V, --version")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
    });
  const run = async (action: CommandAction): Promise<void> => {
    record(await action());
  };
  for (const register of commands) register(program, ctx, run);
  return program;
}

/** Entry point of the CLI. Returns the process exit code; never calls process.exit itself. */
export async function main(argv: string[], ctx?: Partial<CliContext>): Promise<number> {
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const full: CliContext = {
    cwd: process.cwd(),
    env: process.env,
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    signal: controller.signal,
    ...ctx,
  };
  let code: number = ExitCode.ok;
  try {
    const program = buildProgram(full, (c) => (code = c), await commandsFor(argv));
    await program.parseAsync(argv);
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0; usage errors were already printed by commander.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.error;
    }
    const message = error instanceof Error ? error.message : String(error);
    full.stderr.write(`drgitops: ${message}\n`);
    if (full.env["DRGITOPS_DEBUG"] && error instanceof Error && error.stack)
      full.stderr.write(`${error.stack}\n`);
    return exitCodeForError(error);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
