import type { Command } from "commander";
import type { CliContext, CommandAction } from "../context.js";
import { register as emulator } from "./emulator.js";
import { register as validate } from "./validate.js";
import { register as schema } from "./schema.js";
import { register as plan } from "./plan.js";
import { register as apply } from "./apply.js";
import { register as importCommand } from "./import.js";
import { register as status } from "./status.js";
import { register as logs } from "./logs.js";
import { register as cancel } from "./cancel.js";

/** Each command module registers itself on the root program; `run` records its exit code. */
export type RegisterCommand = (
  program: Command,
  ctx: CliContext,
  run: (action: CommandAction) => Promise<void>,
) => void;

export const commands: RegisterCommand[] = [
  validate,
  schema,
  plan,
  apply,
  importCommand,
  status,
  logs,
  cancel,
  emulator,
];
