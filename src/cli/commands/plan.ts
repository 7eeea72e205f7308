import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { Option } from "commander";
import { isGitHubActions } from "../../ci/index.js";
import type { Plan } from "../../reconcile/plan-file.js";
import { planHasChanges } from "../../reconcile/plan-file.js";
import {
  appendJobSummary,
  checkPullRequestContext,
  commentSubject,
  postPullRequestComment,
} from "../ci-output.js";
import type { CliContext } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import {
  addCommonOptions,
  displayFile,
  planFromManifests,
  renderPlanFor,
  type CommonFlags,
} from "../shared.js";
import { renderJson, type PlanFormat } from "../views/index.js";
import type { RegisterCommand } from "./index.js";

interface PlanFlags extends CommonFlags {
  out?: string;
  format: PlanFormat;
  detailedExitcode?: boolean;
  detectDrift?: boolean;
  prComment?: boolean;
}

/** Exit code of `plan`: drift (with --detect-drift) wins over changes (with --detailed-exitcode). */
export function planExitCode(
  plan: Plan,
  flags: { detailedExitcode?: boolean; detectDrift?: boolean },
): number {
  // A plan apply would refuse is an error whatever the flags, never "no changes".
  if (plan.refusals.some((r) => r.blocking)) return ExitCode.error;
  if (flags.detectDrift && plan.drift.length > 0) return ExitCode.driftDetected;
  if (flags.detailedExitcode && planHasChanges(plan)) return ExitCode.changesPresent;
  return ExitCode.ok;
}

async function writePlanFile(ctx: CliContext, file: string, plan: Plan): Promise<void> {
  const out = resolve(ctx.cwd, file);
  await writeFile(out, renderJson(plan));
  const shown = displayFile(out, ctx.cwd);
  ctx.stderr.write(`plan written to ${shown}; apply it with \`drgitops apply --plan ${shown}\`\n`);
}

/** `drgitops plan`: what apply would do, without changing anything on DataRobot. */
export const register: RegisterCommand = (program, ctx, run) => {
  const command = program
    .command("plan")
    .description("Show what apply would change on DataRobot, without changing anything")
    .argument("[paths...]", "manifest files or folders (default: drgitops.yaml paths, else .)")
    .option("--out <file>", "also write the plan as JSON (formatVersion 1) for `apply --plan`")
    .addOption(
      new Option("--format <format>", "output format")
        .choices(["human", "json", "markdown"])
        .default("human"),
    )
    .option("--detailed-exitcode", "exit 2 when there are changes, 0 when there are none")
    .option(
      "--detect-drift",
      "exit 6 when something was changed outside drgitops (also reads each deployment's settings)",
    )
    .option(
      "--pr-comment",
      "post the plan as a comment on the pull request (GitHub Actions: GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_EVENT_PATH), edited on each run",
    );
  addCommonOptions(command).addHelpText(
    "after",
    "\nExit codes: 0 no changes (or changes without --detailed-exitcode), 2 changes, 3 invalid manifests,\n" +
      "6 drift (with --detect-drift), 1 error or a blocking refusal (a plan apply would refuse).\n" +
      "Nothing is written to DataRobot. In GitHub Actions the markdown plan is appended to the job summary.\n",
  );
  command.action((paths: string[], flags: PlanFlags) =>
    run(async () => {
      // Before anything is loaded or connected: a comment that cannot be posted must not cost a plan.
      if (flags.prComment === true) await checkPullRequestContext(ctx);
      // Drift hides also where only trailers vouch for the live state (deployment settings): read it.
      const planned = await planFromManifests(
        ctx,
        paths,
        flags,
        flags.detectDrift === true ? { detectDrift: true } : {},
      );
      if (planned.code !== null) return planned.code;
      const { connection, result, load } = planned;
      try {
        const { plan } = result;
        const { root } = load.project;
        if (flags.out !== undefined) await writePlanFile(ctx, flags.out, plan);
        const rendered = await renderPlanFor(ctx, plan, flags.format, root, result.texts);
        ctx.stdout.write(rendered);
        const blocking = plan.refusals.filter((r) => r.blocking).length;
        if (blocking > 0)
          ctx.stderr.write(
            `drgitops: the plan cannot be applied: ${blocking} blocking refusal${blocking === 1 ? "" : "s"} (see "Refused" above)\n`,
          );
        if (isGitHubActions(ctx.env) || flags.prComment === true) {
          const markdown =
            flags.format === "markdown"
              ? rendered
              : await renderPlanFor(ctx, plan, "markdown", root, result.texts);
          await appendJobSummary(ctx, markdown);
          if (flags.prComment === true) await postPullRequestComment(ctx, commentSubject(plan), markdown);
        }
        return planExitCode(plan, flags);
      } finally {
        await connection.close();
      }
    }),
  );
};
