import { Option } from "commander";
import { resourceStatuses } from "../../reconcile/status.js";
import { addConnectionOptions, planFromManifests } from "../shared.js";
import { shouldColor } from "../views/index.js";
import { renderStatusHuman, renderStatusJson } from "../views/status.js";
import type { RegisterCommand } from "./index.js";

interface StatusFlags {
  format: "human" | "json";
  namespace?: string;
  endpoint?: string;
  token?: string;
}

/**
 * `drgitops status`: where each managed resource stands. It is a plan read another way (the same
 * observing, so the same requests as a plan with nothing to do), never a write to DataRobot.
 */
export const register: RegisterCommand = (program, ctx, run) => {
  const command = program
    .command("status")
    .description("Show each managed resource: in sync, changes pending, drifted, gate failed or unmanaged")
    .argument("[paths...]", "manifest files or folders (default: drgitops.yaml paths, else .)")
    .addOption(new Option("--format <format>", "output format").choices(["human", "json"]).default("human"))
    .option(
      "--namespace <namespace>",
      "namespace of model keys (default: drgitops.yaml, else the git remote)",
    );
  addConnectionOptions(command).addHelpText(
    "after",
    "\nStates: in sync; changes pending (apply would change something); drifted (changed outside\n" +
      "drgitops); gate failed (the latest test failed for the current configuration); unmanaged (in the\n" +
      "namespace without a manifest). Each row shows the latest version, when it was made, its test and\n" +
      "the commit it was applied from. Nothing is written to DataRobot.\n" +
      "Exit codes: 0 shown (whatever the states), 1 error, 3 invalid manifests.\n",
  );
  command.action((paths: string[], flags: StatusFlags) =>
    run(async () => {
      const planned = await planFromManifests(ctx, paths, flags);
      if (planned.code !== null) return planned.code;
      const { connection, result } = planned;
      try {
        const rows = resourceStatuses(result.plan, result.desired, result.live);
        const namespace = result.plan.namespace;
        ctx.stdout.write(
          flags.format === "json"
            ? renderStatusJson(rows, namespace)
            : renderStatusHuman(rows, { namespace, color: shouldColor(ctx.stdout, ctx.env) }),
        );
        return 0;
      } finally {
        await connection.close();
      }
    }),
  );
};
