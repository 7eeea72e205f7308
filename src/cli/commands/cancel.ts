import { isNothing } from "../../kinds/operations.js";
import { UsageError } from "../../errors.js";
import { ExitCode } from "../exit-codes.js";
import { addOperateOptions, operateOn, type OperateFlags } from "../operate.js";
import type { RegisterCommand } from "./index.js";

interface CancelFlags extends OperateFlags {
  test?: boolean;
  build?: boolean;
}

const TARGETS = ["test", "build"] as const;

/**
 * `drgitops cancel KEY`: stops the running test or dependency build of a model's latest version.
 * A cancelled test gates nothing: the next apply runs it again.
 */
export const register: RegisterCommand = (program, ctx, run) => {
  const command = program
    .command("cancel")
    .description("Cancel the running test or dependency build of a model's latest version")
    .argument("<key>", "manifest name or full key (namespace/name)")
    .option("--test", "only the running test")
    .option("--build", "only the running dependency build");
  addOperateOptions(command).addHelpText(
    "after",
    "\nWithout --test or --build, whatever of the two is running is cancelled. The next apply runs a\n" +
      "cancelled test (or build) again: a cancelled test is not a failed gate.\n" +
      "Exit codes: 0 cancelled; 8 nothing was running; 1 error or unknown key.\n",
  );
  command.action((key: string, flags: CancelFlags) =>
    run(async () => {
      const chosen = TARGETS.filter((t) => flags[t] === true);
      const wants = (name: string): boolean =>
        chosen.length === 0 || (chosen as readonly string[]).includes(name);
      return await operateOn(
        ctx,
        key,
        flags,
        (ops) => ops.cancel.some((t) => wants(t.name)),
        async (found) => {
          const targets = found.operations.cancel.filter((t) => wants(t.name));
          if (targets.length === 0) throw new UsageError(`nothing of ${found.key} can be cancelled`);
          const idle: string[] = [];
          let cancelled = 0;
          for (const target of targets) {
            const result = await target.cancel(found.handle, found.args);
            if (isNothing(result)) idle.push(result.nothing);
            else {
              cancelled += 1;
              ctx.stdout.write(`cancelled ${found.redact(result.cancelled)}\n`);
            }
          }
          if (cancelled > 0) return ExitCode.ok;
          for (const why of idle) ctx.stderr.write(`drgitops: ${found.redact(why)}\n`);
          return ExitCode.nothingToShowOrCancel;
        },
      );
    }),
  );
};
