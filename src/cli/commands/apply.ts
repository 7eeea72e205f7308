import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { createInterface } from "node:readline/promises";
import { Option } from "commander";
import { UsageError } from "../../errors.js";
import { readProvenance } from "../../git/index.js";
import { applyPlan } from "../../reconcile/apply.js";
import type { ApplyEvent } from "../../reconcile/events.js";
import type { TaskResult } from "../../reconcile/executor.js";
import type { ApplyContext, NamespaceLock } from "../../reconcile/io.js";
import { parsePlan, type Plan } from "../../reconcile/plan-file.js";
import { sensitiveValuesOf } from "../../reconcile/plan-secrets.js";
import { keyId } from "../../spec/digest.js";
import { findProjectRoot, loadProjectConfig } from "../../spec/index.js";
import { isGitHubActions } from "../../ci/index.js";
import {
  appendJobSummary,
  checkPullRequestContext,
  commentSubject,
  failureAnnotation,
  postPullRequestComment,
} from "../ci-output.js";
import type { Connection } from "../connection.js";
import type { CliContext } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import {
  addCommonOptions,
  connect,
  parseCount,
  planFromManifests,
  renderPlanFor,
  requestedProfile,
  secretKeyFor,
  takeApplyLock,
  type CommonFlags,
} from "../shared.js";
import { createJsonLinesView, outcomeJson } from "../views/apply-json.js";
import { createProgressView } from "../views/apply-progress.js";
import { formatFailureLogs, renderOutcomeMarkdown } from "../views/outcome-markdown.js";
import {
  formatOutcomeTable,
  summariseByResource,
  totals,
  type ResourceSummary,
  type RunTotals,
} from "../views/outcome-table.js";
import type { RegisterCommand } from "./index.js";

interface ApplyFlags extends CommonFlags {
  plan?: string;
  parallelism?: number;
  skipTests?: boolean;
  detectDrift?: boolean;
  yes?: boolean;
  waitTimeout?: number;
  lockTimeout?: number;
  format: "human" | "json";
  prComment?: boolean;
}

const DEFAULT_PARALLELISM = 4;
const DEFAULT_WAIT_TIMEOUT_S = 30 * 60;
const DEFAULT_LOCK_TIMEOUT_S = 10 * 60;

/**
 * DESIGN §8 for apply: a real failure or an interruption wins (4), then stale actions of a saved plan
 * (5), then a test gate that failed now or still fails from before (7).
 */
export function applyExitCode(plan: Plan, run: RunTotals): number {
  if (run.failed > 0 || run.aborted > 0) return ExitCode.applyPartlyFailed;
  if (run.stale > 0) return ExitCode.stalePlan;
  if (run.gateFailed > 0 || plan.gate.length > 0) return ExitCode.testGateFailed;
  return ExitCode.ok;
}

/** Asks on a terminal; in pipelines and CI (no TTY) apply proceeds, as it does with --yes. */
async function confirmed(ctx: CliContext, count: number, json: boolean): Promise<boolean> {
  const out = json ? ctx.stderr : ctx.stdout;
  if (ctx.stdin.isTTY !== true || out.isTTY !== true) return true;
  const rl = createInterface({ input: ctx.stdin, output: out });
  try {
    const answer = await rl.question(`Apply ${count} action${count === 1 ? "" : "s"}? Only "yes" proceeds: `);
    return answer.trim() === "yes";
  } finally {
    rl.close();
  }
}

interface Execution {
  plan: Plan;
  connection: Connection;
  /** The namespace's apply lock, held from before planning until the run ends. */
  lock: NamespaceLock | undefined;
  root: string;
  parallelism: number;
  savedPlan: boolean;
  /** The plan as markdown, rendered before the run for `--pr-comment` (so live texts are let go). */
  planMarkdown?: string;
}

async function execute(ctx: CliContext, flags: ApplyFlags, run: Execution): Promise<number> {
  const { plan } = run;
  const json = flags.format === "json";
  const blocking = plan.refusals.filter((r) => r.blocking);
  if (blocking.length > 0) {
    for (const r of blocking) ctx.stderr.write(`refused: ${r.reason}\n`);
    ctx.stderr.write("nothing was applied\n");
    return ExitCode.error;
  }
  if (plan.actions.length > 0 && flags.yes !== true && !(await confirmed(ctx, plan.actions.length, json))) {
    ctx.stderr.write("apply cancelled; nothing was changed\n");
    return ExitCode.error;
  }
  const context: ApplyContext = {
    client: run.connection.client,
    provenance: await readProvenance(run.root, ctx.env),
    projectRoot: run.root,
    env: ctx.env,
    secretKey: secretKeyFor(ctx, run.connection),
    waitTimeoutMs: (flags.waitTimeout ?? DEFAULT_WAIT_TIMEOUT_S) * 1000,
    secrets: sensitiveValuesOf(plan, ctx.env),
  };
  const view = json
    ? createJsonLinesView(ctx.stdout)
    : createProgressView(ctx.stdout, { env: ctx.env, total: plan.actions.length });
  const startedAt = Date.now();
  // Whatever produced the text (a handler, DataRobot's own message), no known secret is printed.
  const { redact } = run.connection.client;
  let results: TaskResult[];
  try {
    results = await applyPlan(plan, {
      context,
      parallelism: run.parallelism,
      signal: ctx.signal,
      onEvent: (event) => view.onEvent(redactEvent(event, redact)),
      savedPlan: run.savedPlan,
    });
  } finally {
    view.close();
  }
  results = results.map((r) => (r.message === undefined ? r : { ...r, message: redact(r.message) }));
  const totalMs = Date.now() - startedAt;
  const resources = summariseByResource(results, [...plan.unchanged, ...plan.actions.map((a) => a.key)]);
  const counts = totals(results);
  const code = applyExitCode(plan, counts);
  if (json) {
    ctx.stdout.write(
      outcomeJson(resources, counts, { exitCode: code, gate: plan.gate, durationMs: totalMs }),
    );
  } else {
    ctx.stdout.write(`\n${formatOutcomeTable(resources, { totalMs })}`);
    for (const g of plan.gate)
      ctx.stdout.write(
        `test gate: ${g.key} version ${g.versionLabel}: latest test ${g.outcome}: ${g.message}\n`,
      );
    ctx.stdout.write(formatFailureLogs(results));
  }
  if (counts.stale > 0)
    ctx.stderr.write(
      "some actions were refused because their objects changed since the plan; run plan again\n",
    );
  await reportOutcomeToCi(ctx, flags, run, { resources, results, code });
  return code;
}

/**
 * In GitHub Actions: one annotation per failed action (with its log tail) and the outcome table in
 * the job summary; with --pr-comment the outcome, then the plan it applied, as the PR's comment.
 */
async function reportOutcomeToCi(
  ctx: CliContext,
  flags: ApplyFlags,
  run: Execution,
  outcome: { resources: ResourceSummary[]; results: TaskResult[]; code: number },
): Promise<void> {
  const inActions = isGitHubActions(ctx.env);
  if (!inActions && flags.prComment !== true) return;
  const { plan } = run;
  if (inActions)
    for (const r of outcome.results)
      if (r.outcome === "failed" || r.outcome === "gate-failed")
        ctx.stderr.write(
          `${failureAnnotation(`drgitops ${r.type} ${r.key}`, r.message ?? r.outcome, r.log?.lines ?? [])}\n`,
        );
  const markdown = renderOutcomeMarkdown(plan, outcome.resources, outcome.results, outcome.code);
  await appendJobSummary(ctx, markdown);
  if (flags.prComment === true) {
    const planMarkdown = run.planMarkdown ?? (await renderPlanFor(ctx, plan, "markdown", run.root, {}));
    await postPullRequestComment(ctx, commentSubject(plan), `${markdown}\n${planMarkdown}`);
  }
}

function lockWaitMs(flags: ApplyFlags): number {
  return (flags.lockTimeout ?? DEFAULT_LOCK_TIMEOUT_S) * 1000;
}

export function redactEvent(event: ApplyEvent, redact: (text: string) => string): ApplyEvent {
  switch (event.type) {
    case "action-progress":
      return { ...event, message: redact(event.message) };
    case "action-succeeded":
      return event.message === undefined ? event : { ...event, message: redact(event.message) };
    case "action-failed":
      return { ...event, error: redact(event.error) };
    case "action-skipped":
      return { ...event, detail: redact(event.detail) };
    case "action-started":
      return event;
  }
}

/** Shows the plan that is about to run: the human rendering, or its JSON as the first line. */
async function showPlan(
  ctx: CliContext,
  flags: ApplyFlags,
  plan: Plan,
  root: string,
  texts: Record<string, Record<string, string>>,
): Promise<void> {
  if (flags.format === "json") ctx.stdout.write(`${JSON.stringify({ type: "plan", plan })}\n`);
  else ctx.stdout.write(await renderPlanFor(ctx, plan, "human", root, texts));
}

/** Flags a saved plan already decided: given with --plan they would be ignored, so they are refused. */
const DECIDED_BY_PLAN: readonly [keyof ApplyFlags, string][] = [
  ["prune", "--prune"],
  ["allowEmpty", "--allow-empty"],
  ["maxDeletions", "--max-deletions"],
  ["target", "--target"],
  ["selector", "--selector"],
  ["skipTests", "--skip-tests"],
  ["detectDrift", "--detect-drift"],
  ["namespace", "--namespace"],
  ["changedSince", "--changed-since"],
  ["shard", "--shard"],
];

/** A saved plan connects with the profile it was made with; another one asked for is refused. */
function savedPlanProfile(ctx: CliContext, flags: ApplyFlags, plan: Plan): string | undefined {
  const requested = requestedProfile(ctx, flags.profile);
  if (requested !== undefined && requested !== plan.profile)
    throw new UsageError(
      plan.profile === undefined
        ? `the saved plan was made without a profile; it cannot be applied with profile ${requested} (unset --profile/DRGITOPS_PROFILE, or make a new plan with it)`
        : `the saved plan was made with profile ${plan.profile}; it cannot be applied with profile ${requested}`,
    );
  return plan.profile;
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
    .option(
      "--detect-drift",
      "also read what only trailers vouch for (deployment settings, one request each) and restore it",
    )
    .option("--yes", "do not ask for confirmation on a terminal")
    .option(
      "--wait-timeout <seconds>",
      `give up waiting for one build, test or upload after this long (default ${DEFAULT_WAIT_TIMEOUT_S})`,
      parseCount("--wait-timeout", 1),
    )
    .option(
      "--lock-timeout <seconds>",
      `wait this long for another apply on the namespace to finish (default ${DEFAULT_LOCK_TIMEOUT_S})`,
      parseCount("--lock-timeout", 0),
    )
    .addOption(
      new Option(
        "--format <format>",
        "human, or json: one JSON object per line (the plan, each event, the outcome)",
      )
        .choices(["human", "json"])
        .default("human"),
    )
    .option(
      "--pr-comment",
      "post the outcome and the applied plan as the pull request's drgitops comment (an apply run from a pull request)",
    );
  addCommonOptions(command).addHelpText(
    "after",
    "\nExit codes: 0 success, 1 error, 3 invalid manifests, 4 some actions failed or were skipped,\n" +
      "5 saved plan stale (only the moved objects were refused), 7 a test gate failed.\n" +
      "Re-running after any failure or interruption is safe: it converges without duplicates.\n" +
      "In GitHub Actions the outcome table (with the log tail of each failure) goes to the job summary.\n",
  );
  command.action((paths: string[], flags: ApplyFlags) =>
    run(async () => {
      if (flags.prComment === true) await checkPullRequestContext(ctx);
      if (flags.plan !== undefined) {
        if (paths.length > 0) throw new UsageError("give either manifest paths or --plan, not both");
        const ignored = DECIDED_BY_PLAN.filter(([key]) => flags[key] !== undefined).map(([, flag]) => flag);
        if (ignored.length > 0)
          throw new UsageError(
            `${ignored.join(", ")} cannot be used with --plan: the saved plan already decided that (make a new plan with them instead)`,
          );
        return await applySaved(ctx, flags);
      }
      const planned = await planAndShow(ctx, paths, flags);
      if ("code" in planned) return planned.code;
      try {
        return await execute(ctx, flags, planned);
      } finally {
        await planned.lock?.release();
        await planned.connection.close();
      }
    }),
  );
};

/**
 * Plans from the manifests and shows the plan. Only what executing needs leaves this function: the
 * loaded project (YAML documents included), desired and live state must not stay alive for the run.
 */
async function planAndShow(
  ctx: CliContext,
  paths: string[],
  flags: ApplyFlags,
): Promise<{ code: number } | Execution> {
  const planned = await planFromManifests(ctx, paths, flags, {
    skipTests: flags.skipTests === true,
    ...(flags.detectDrift === true ? { detectDrift: true } : {}),
    ...(flags.parallelism !== undefined ? { parallelism: flags.parallelism } : {}),
    lock: { waitMs: lockWaitMs(flags) },
  });
  if (planned.code !== null) return { code: planned.code };
  const { connection, result, load, lock } = planned;
  try {
    const { root, config } = load.project;
    await showPlan(ctx, flags, result.plan, root, result.texts);
    const parallelism = flags.parallelism ?? config.parallelism ?? DEFAULT_PARALLELISM;
    // Only what executing needs leaves here; the plan's diffs need the live texts, so render them now.
    const planMarkdown =
      flags.prComment === true
        ? { planMarkdown: await renderPlanFor(ctx, result.plan, "markdown", root, result.texts) }
        : {};
    return { plan: result.plan, connection, lock, root, parallelism, savedPlan: false, ...planMarkdown };
  } catch (error) {
    await lock?.release().catch(() => undefined);
    await connection.close();
    throw error;
  }
}

async function applySaved(ctx: CliContext, flags: ApplyFlags): Promise<number> {
  const file = resolve(ctx.cwd, flags.plan!);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new UsageError(`cannot read plan ${file}: ${(error as Error).message}`);
  }
  const plan = parsePlan(json, file);
  const profile = savedPlanProfile(ctx, flags, plan);
  const root = await findProjectRoot(ctx.cwd);
  const { config } = await loadProjectConfig(root);
  const connection = await connect(ctx, { root, config, profile }, flags);
  let lock: NamespaceLock | undefined;
  try {
    // Digests of sensitive values can only be checked with the key that made them: never guessed.
    const usesSecrets = JSON.stringify(plan.actions).includes('"hmac-sha256:');
    if (usesSecrets && plan.options.secretKeyId !== keyId(secretKeyFor(ctx, connection)))
      throw new UsageError(
        `${file} holds digests of sensitive values made with another key; set DRGITOPS_PLAN_KEY as it was when the plan was made (or use the same API token), or make the plan again`,
      );
    if (plan.actions.length > 0)
      lock = await takeApplyLock(ctx, connection, plan.namespace, lockWaitMs(flags));
    await showPlan(ctx, flags, plan, root, {});
    const parallelism = flags.parallelism ?? config.parallelism ?? DEFAULT_PARALLELISM;
    return await execute(ctx, flags, { plan, connection, lock, root, parallelism, savedPlan: true });
  } finally {
    await lock?.release();
    await connection.close();
  }
}
