/**
 * The CLI's commands, in help order. A module of its own because bin/drgitops.js reads it before the
 * bundle is loaded: each command has its own code cache (src/cli/compile-cache.ts).
 */
export const COMMAND_NAMES = [
  "validate",
  "schema",
  "plan",
  "apply",
  "import",
  "watch",
  "status",
  "logs",
  "cancel",
  "emulator",
] as const;

export type CommandName = (typeof COMMAND_NAMES)[number];

/** The command `argv` names (its first word that is no option), or undefined (help, --version, a typo). */
export function commandOf(argv: readonly string[]): CommandName | undefined {
  const name = argv.slice(2).find((a) => !a.startsWith("-"));
  return (COMMAND_NAMES as readonly string[]).includes(name ?? "") ? (name as CommandName) : undefined;
}
