import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { createInterface } from "node:readline/promises";
import { UsageError } from "../../errors.js";
import { readProvenance } from "../../git/index.js";
import type { ApplyContext } from "../../reconcile/apply/context.js";
import { formatOutcomeTable } from "../../reconcile/apply/outcome.js";
import { createProgressView } from "../../reconcile/apply/progress.js";
import { applyPlan, type ApplyRunResult } from "../../reconcile/apply/run.js";
import { VersionFileCache, versionCacheDir } from "../../reconcile/observe-files.js";
import { parsePlan, type Plan } from "../../reconcile/plan-file.js";
import { findProjectRoot } from "../../spec/index.js";
import { loadProjectConfig } from "../../spec/project-root.js";
import { openConnection, type Connection } from "../connection.js";
import type { CliContext } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import type { RegisterCommand } from "./index.js";
import { addCommonOptions, parseCount, planFromManifests, renderPlanFor, type CommonFlags } from "./plan.js";

interface ApplyFlags extends CommonFlags {
  plan?: string;
  parallelism?: number;
  skipTests?: boolean;
  yes?: boolean;
  waitTimeout?: number;
}

const DEFAULT_PARALLELISM = 4;
const DEFAULT_WAIT_TIMEOUT_S = 30 * 60;

/**
 * DESIGN §8 for apply: a real failure wins (4), then stale actions of a saved plan (5), then a
 * test gate that failed now or still fails from before (7).
 */
export function applyExitCode(plan: Plan, run: ApplyRunResult, testFailures: number): number {
  const failures = run.results.filter((r) => r.outcome === "failed").length - testFailures;
  const interrupted = run.results.some((r) => r.reason === "aborted");
  if (failures > 0 || interrupted) return ExitCode.applyPartlyFailed;
  if (run.totals.stale > 0) return ExitCode.stalePlan;
  if (testFailures > 0 || plan.gate.length > 0) return ExitCode.testGateFailed;
  return ExitCode.ok;
}

/** Asks on a terminal; in pipelines and CI (no TTY) apply proceeds, as it does with --yes. */
async function confirmed(ctx: CliContext, count: number): Promise<boolean> {
  if (ctx.stdin.isTTY !== true || ctx.stdout.isTTY !== true) return true;
  const rl = createInterface({ input: ctx.stdin, output: ctx.stdout });
  try {
    const answer = await rl.question(`Apply ${count} action${count === 1 ? "" : "s"}? Only "yes" proceeds: `);
    return answer.trim() === "yes";
  } finally {
    rl.close();
  }
}

async function execute(
  ctx: CliContext,
  plan: Plan,
  connection: Connection,
  root: string,
  parallelism: number,
  savedPlan: boolean,
  waitTimeoutMs: number,
): Promise<number> {
  const blocking = plan.refusals.filter((r) => r.blocking);
  if (blocking.length > 0) {
    for (const r of blocking) ctx.stderr.write(`refused: ${r.reason}\n`);
    ctx.stderr.write("nothing was applied\n");
    return ExitCode.error;
  }
  const context: ApplyContext = {
    client: connection.client,
    provenance: await readProvenance(root, ctx.env),
    versionCache: new VersionFileCache(versionCacheDir(root)),
    env: ctx.env,
    waitTimeoutMs,
    produced: new Map(),
    testFailures: [],
  };
  const view = createProgressView(ctx.stdout);
  const result = await applyPlan(plan, {
    context,
    parallelism,
    signal: ctx.signal,
    onEvent: view.onEvent,
    savedPlan,
  });
  view.close();
  ctx.stdout.write(`\n${formatOutcomeTable(result.resources)}`);
  for (const g of plan.gate)
    ctx.stdout.write(
      `test gate: ${g.key} version ${g.versionLabel}: latest test ${g.outcome}: ${g.message}\n`,
    );
  const code = applyExitCode(plan, result, context.testFailures.length);
  if (result.totals.stale > 0)
    ctx.stderr.write(
      "some actions were refused because their objects changed since the plan; run plan again\n",
    );
  return code;
}

/** `drgitops apply`: make DataRobot equal to the manifests (or to a saved plan). */
export const register: RegisterCommand = (program, ctx, run) => {
  const command = program
    .command("apply")
    .description("Make DataRobot equal to the manifests: one new version per change, tests gating")
    .argument("[paths...]", "manifest files or folders (default: drgitops.yaml paths, else .)")
    .option("--plan <file>", "apply a plan saved by `plan --out`; actions whose objects moved are refused")
    .option(
      "--parallelism <n>",
      `actions run at once (default: drgitops.yaml parallelism, else ${DEFAULT_PARALLELISM})`,
      parseCount("--parallelism", 1),
    )
    .option("--skip-tests", "do not run the configured tests for new versions")
    .option("--yes", "do not ask for confirmation on a terminal")
    .option(
      "--wait-timeout <seconds>",
      `give up waiting for one build, test or upload after this long (default ${DEFAULT_WAIT_TIMEOUT_S})`,
      parseCount("--wait-timeout", 1),
    );
  addCommonOptions(command).addHelpText(
    "after",
    "\nExit codes: 0 success, 1 error, 3 invalid manifests, 4 some actions failed or were skipped,\n" +
      "5 saved plan stale (only the moved objects were refused), 7 a test gate failed.\n" +
      "Re-running after any failure or interruption is safe: it converges without duplicates.\n",
  );
  command.action((paths: string[], flags: ApplyFlags) =>
    run(async () => {
      const waitTimeoutMs = (flags.waitTimeout ?? DEFAULT_WAIT_TIMEOUT_S) * 1000;
      if (flags.plan !== undefined) {
        if (paths.length > 0) throw new UsageError("give either manifest paths or --plan, not both");
        return await applySaved(ctx, flags, waitTimeoutMs);
      }
      const planned = await planAndShow(ctx, paths, flags);
      if (planned.code !== null) return planned.code;
      const { plan, connection, root, parallelism } = planned;
      try {
        if (plan.actions.length > 0 && flags.yes !== true && !(await confirmed(ctx, plan.actions.length))) {
          ctx.stderr.write("apply cancelled; nothing was changed\n");
          return ExitCode.error;
        }
        return await execute(ctx, plan, connection, root, parallelism, false, waitTimeoutMs);
      } finally {
        await connection.close();
      }
    }),
  );
};

/**
 * Plans from the manifests and prints the plan. Only what executing needs leaves this function: the
 * loaded project (YAML documents included), desired and live state must not stay alive for the run.
 */
async function planAndShow(
  ctx: CliContext,
  paths: string[],
  flags: ApplyFlags,
): Promise<
  { code: number } | { code: null; plan: Plan; connection: Connection; root: string; parallelism: number }
> {
  const planned = await planFromManifests(ctx, paths, flags, {
    skipTests: flags.skipTests === true,
    ...(flags.parallelism !== undefined ? { parallelism: flags.parallelism } : {}),
  });
  if (planned.code !== null) return planned;
  const { connection, result, load } = planned;
  try {
    const { root, config } = load.project;
    ctx.stdout.write(await renderPlanFor(ctx, result.plan, "human", root, result.liveTexts));
    const parallelism = flags.parallelism ?? config.parallelism ?? DEFAULT_PARALLELISM;
    return { code: null, plan: result.plan, connection, root, parallelism };
  } catch (error) {
    await connection.close();
    throw error;
  }
}

async function applySaved(ctx: CliContext, flags: ApplyFlags, waitTimeoutMs: number): Promise<number> {
  const file = resolve(ctx.cwd, flags.plan!);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new UsageError(`cannot read plan ${file}: ${(error as Error).message}`);
  }
  const plan = parsePlan(json, file);
  const root = await findProjectRoot(ctx.cwd);
  const { config } = await loadProjectConfig(root);
  const connection = await openConnection(ctx, {
    endpoint: flags.endpoint,
    token: flags.token,
    projectRoot: root,
    seedFile: config.emulator?.seed ? resolve(root, config.emulator.seed) : undefined,
    parallelism: flags.parallelism ?? config.parallelism,
  });
  try {
    ctx.stdout.write(await renderPlanFor(ctx, plan, "human", root, {}));
    if (plan.actions.length > 0 && flags.yes !== true && !(await confirmed(ctx, plan.actions.length))) {
      ctx.stderr.write("apply cancelled; nothing was changed\n");
      return ExitCode.error;
    }
    const parallelism = flags.parallelism ?? config.parallelism ?? DEFAULT_PARALLELISM;
    return await execute(ctx, plan, connection, root, parallelism, true, waitTimeoutMs);
  } finally {
    await connection.close();
  }
}
