import { writeFile } from "node:fs/promises";
import { isAbsolute, relative, resolve } from "node:path";
import { InvalidArgumentError, Option, type Command } from "commander";
import { UsageError } from "../../errors.js";
import { observeAndPlan, type ObserveAndPlanResult } from "../../reconcile/observe-and-plan.js";
import type { Plan } from "../../reconcile/plan-file.js";
import { planHasChanges } from "../../reconcile/plan-file.js";
import type { BuildPlanOptions } from "../../reconcile/plan.js";
import { DEFAULT_MAX_DELETIONS } from "../../reconcile/plan.js";
import { loadProject, type Issue, type LoadResult } from "../../spec/index.js";
import { openConnection, type Connection } from "../connection.js";
import { namespaceFor } from "../namespace.js";
import type { CliContext } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import type { RegisterCommand } from "./index.js";
import { formatIssue } from "./validate.js";
import { renderJson, renderPlan, shouldColor, type PlanFormat } from "../render/index.js";
import { createTextReader, VersionFileCache, versionCacheDir } from "../../reconcile/observe-files.js";

/** Flags plan and apply share. */
export interface CommonFlags {
  endpoint?: string;
  token?: string;
  namespace?: string;
  target?: string[];
  selector?: string[];
  prune?: boolean;
  maxDeletions?: number;
}

interface PlanFlags extends CommonFlags {
  out?: string;
  format: PlanFormat;
  detailedExitcode?: boolean;
  detectDrift?: boolean;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function parseCount(flag: string, min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min)
      throw new InvalidArgumentError(`${flag} must be an integer >= ${min}, got "${value}"`);
    return n;
  };
}

/** `--selector team=risk` -> {team: "risk"}; a selector without `=` is a usage error. */
export function parseSelectors(selectors: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of selectors) {
    const at = s.indexOf("=");
    if (at <= 0) throw new UsageError(`--selector must be key=value, got "${s}"`);
    out[s.slice(0, at)] = s.slice(at + 1);
  }
  return out;
}

/** Options both commands take, with their help texts. */
export function addCommonOptions(command: Command): Command {
  return command
    .option("--target <key>", "only this model/environment/dataset (name or full key); repeatable", collect)
    .option("--selector <k=v>", "only manifests whose labels match; repeatable, all must match", collect)
    .option("--prune", "delete managed models whose manifest is gone (never protected or deployed ones)")
    .option(
      "--max-deletions <n>",
      `refuse to prune more than n models in one run (default ${DEFAULT_MAX_DELETIONS})`,
      parseCount("--max-deletions", 0),
    )
    .option(
      "--namespace <namespace>",
      "namespace of model keys (default: drgitops.yaml, else the git remote)",
    )
    .option("--endpoint <url>", "DataRobot endpoint, or `local` for the embedded emulator")
    .option("--token <token>", "DataRobot API token (prefer DATAROBOT_API_TOKEN: argv is visible to others)");
}

export function planOptionsOf(flags: CommonFlags, extra: Partial<BuildPlanOptions> = {}): BuildPlanOptions {
  return {
    prune: flags.prune === true,
    ...(flags.maxDeletions !== undefined ? { maxDeletions: flags.maxDeletions } : {}),
    targets: flags.target ?? [],
    selector: parseSelectors(flags.selector ?? []),
    ...extra,
  };
}

/** Validation first (as `validate` does it): invalid manifests stop the command with exit 3. */
export async function loadValidated(
  ctx: CliContext,
  paths: string[],
  namespaceFlag: string | undefined,
): Promise<LoadResult | undefined> {
  const namespace = await namespaceFor(ctx.cwd, namespaceFlag);
  const result = await loadProject({
    paths,
    cwd: ctx.cwd,
    hash: true,
    ...(namespace !== undefined ? { namespace } : {}),
  });
  const errors = result.issues.filter((i) => i.severity === "error");
  for (const issue of result.issues) ctx.stderr.write(`${formatIssue(issue, ctx.cwd)}\n`);
  if (errors.length > 0) {
    ctx.stderr.write(
      `invalid: ${errors.length} error${errors.length === 1 ? "" : "s"}; nothing was planned\n`,
    );
    return undefined;
  }
  return result;
}

export function reportIssues(ctx: CliContext, issues: readonly Issue[]): void {
  for (const issue of issues) ctx.stderr.write(`${formatIssue(issue, ctx.cwd)}\n`);
  ctx.stderr.write("cannot plan: the problems above must be fixed first; nothing was changed\n");
}

/** Loads, connects and plans; the connection is returned open (apply goes on with it). */
export async function planFromManifests(
  ctx: CliContext,
  paths: string[],
  flags: CommonFlags,
  extra: Partial<BuildPlanOptions> & { parallelism?: number } = {},
): Promise<
  | { code: number }
  | {
      code: null;
      load: LoadResult;
      connection: Connection;
      result: Extract<ObserveAndPlanResult, { ok: true }>;
    }
> {
  // Usage errors (a bad --selector) before anything is loaded or started.
  const { parallelism: _p, ...planExtra } = extra;
  const planOptions = planOptionsOf(flags, planExtra);
  const load = await loadValidated(ctx, paths, flags.namespace);
  if (!load) return { code: ExitCode.invalidManifests };
  const { project } = load;
  const parallelism = extra.parallelism ?? project.config.parallelism;
  const connection = await openConnection(ctx, {
    endpoint: flags.endpoint,
    token: flags.token,
    projectRoot: project.root,
    seedFile: project.config.emulator?.seed ? resolve(project.root, project.config.emulator.seed) : undefined,
    parallelism,
  });
  try {
    const result = await observeAndPlan({
      client: connection.client,
      project,
      env: ctx.env,
      planOptions,
      signal: ctx.signal,
      ...(parallelism !== undefined ? { parallelism } : {}),
    });
    if (!result.ok) {
      reportIssues(ctx, result.issues);
      await connection.close();
      return { code: ExitCode.invalidManifests };
    }
    return { code: null, load, connection, result };
  } catch (error) {
    await connection.close();
    throw error;
  }
}

/** Renders a plan for this terminal: colour on a TTY (unless NO_COLOR), unified diffs of text files. */
export async function renderPlanFor(
  ctx: CliContext,
  plan: Plan,
  format: PlanFormat,
  root: string,
  liveTexts: Record<string, Record<string, string>>,
): Promise<string> {
  const readText = createTextReader(liveTexts, new VersionFileCache(versionCacheDir(root)));
  return await renderPlan(plan, format, { color: shouldColor(ctx.stdout, ctx.env), readText });
}

function displayPath(cwd: string, file: string): string {
  const rel = relative(cwd, file);
  return rel === "" || rel.startsWith("..") || isAbsolute(rel) ? file : rel;
}

/** Exit code of `plan`: drift (with --detect-drift) wins over changes (with --detailed-exitcode). */
export function planExitCode(
  plan: Plan,
  flags: { detailedExitcode?: boolean; detectDrift?: boolean },
): number {
  if (flags.detectDrift && plan.drift.length > 0) return ExitCode.driftDetected;
  if (flags.detailedExitcode && planHasChanges(plan)) return ExitCode.changesPresent;
  return ExitCode.ok;
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
    .option("--detect-drift", "exit 6 when something was changed outside drgitops");
  addCommonOptions(command).addHelpText(
    "after",
    "\nExit codes: 0 no changes (or changes without --detailed-exitcode), 2 changes, 3 invalid manifests,\n" +
      "6 drift (with --detect-drift), 1 error. Nothing is written to DataRobot.\n",
  );
  command.action((paths: string[], flags: PlanFlags) =>
    run(async () => {
      const planned = await planFromManifests(ctx, paths, flags);
      if (planned.code !== null) return planned.code;
      const { connection, result, load } = planned;
      try {
        const { plan } = result;
        if (flags.out !== undefined) {
          const out = resolve(ctx.cwd, flags.out);
          await writeFile(out, renderJson(plan));
          ctx.stderr.write(
            `plan written to ${displayPath(ctx.cwd, out)}; apply it with \`drgitops apply --plan ${displayPath(ctx.cwd, out)}\`\n`,
          );
        }
        ctx.stdout.write(await renderPlanFor(ctx, plan, flags.format, load.project.root, result.liveTexts));
        return planExitCode(plan, flags);
      } finally {
        await connection.close();
      }
    }),
  );
};
