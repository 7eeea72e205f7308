import type { Command } from "commander";
import { COMMAND_NAMES, commandOf, type CommandName } from "../command-names.js";
import type { CliContext, CommandAction } from "../context.js";

/** Each command module registers itself on the root program; `run` records its exit code. */
export type RegisterCommand = (
  program: Command,
  ctx: CliContext,
  run: (action: CommandAction) => Promise<void>,
) => void;

/**
 * Every command, loaded on demand: a run loads only the module of the command it names (validate
 * never loads the HTTP client), help and unknown commands load them all.
 */
const modules: Record<CommandName, () => Promise<RegisterCommand>> = {
  validate: async () => (await import("./validate.js")).register,
  schema: async () => (await import("./schema.js")).register,
  plan: async () => (await import("./plan.js")).register,
  apply: async () => (await import("./apply.js")).register,
  import: async () => (await import("./import.js")).register,
  watch: async () => (await import("./watch.js")).register,
  status: async () => (await import("./status.js")).register,
  logs: async () => (await import("./logs.js")).register,
  cancel: async () => (await import("./cancel.js")).register,
  emulator: async () => (await import("./emulator.js")).register,
};

/** The commands to register for `argv`: the one it names, or all of them in help order. */
export async function commandsFor(argv: readonly string[]): Promise<RegisterCommand[]> {
  const named = commandOf(argv);
  if (named) return [await modules[named]()];
  return await Promise.all(COMMAND_NAMES.map((name) => modules[name]()));
}
