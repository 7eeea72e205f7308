import { Option } from "commander";
import { UsageError } from "../../errors.js";
import { gitRoot, readProvenance } from "../../git/index.js";
import type { ApplyEvent } from "../../reconcile/events.js";
import type { ApplyContext } from "../../reconcile/io.js";
import { WatchEngine, type WatchEngineEvent, type WatchSummary } from "../../reconcile/watch.js";
import { Notifier } from "../../reconcile/watch-notify.js";
import { IncrementalProject } from "../../spec/incremental.js";
import { findProjectRoot, loadProjectConfig } from "../../spec/index.js";
import type { CliContext } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import { namespaceFor } from "../namespace.js";
import {
  addCommonOptions,
  connect,
  formatIssue,
  parseCount,
  planOptionsOf,
  secretKeyFor,
  selectProfile,
  takeApplyLock,
  type CommonFlags,
} from "../shared.js";
import { shouldColor } from "../views/style.js";
import { describeEvent, NOTIFIED, publicEvent } from "../views/watch-events.js";
import { createWatchHumanView } from "../views/watch-human.js";
import { createWatchJsonView, type WatchView } from "../views/watch-json.js";
import { applyExitCode, redactEvent } from "./apply.js";
import { planExitCode } from "./plan.js";
import type { RegisterCommand } from "./index.js";

interface WatchFlags extends CommonFlags {
  interval: number;
  debounce: number;
  apply?: boolean;
  gitPull?: boolean;
  notify?: string;
  once?: boolean;
  format: "human" | "json";
}

const DEFAULT_INTERVAL_S = 60;
const DEFAULT_DEBOUNCE_MS = 200;
const DEFAULT_PARALLELISM = 4;
const WAIT_TIMEOUT_MS = 30 * 60_000;
/** How long a self-heal waits for another run's apply lock before the cycle reports an error. */
const LOCK_WAIT_MS = 10 * 60_000;

/**
 * `watch --once` exits as `plan --detailed-exitcode --detect-drift` (0 in sync, 2 changes, 6 drift),
 * 3 on invalid manifests, 1 when the cycle failed; with --apply, as `apply` for what it applied.
 */
export function watchOnceExitCode(summary: WatchSummary): number {
  if (summary.errored) return ExitCode.error;
  if (summary.invalid || summary.lastPlan === undefined) return ExitCode.invalidManifests;
  if (summary.applied !== undefined) {
    const results = summary.applied;
    const count = (pred: (r: (typeof results)[number]) => boolean): number => results.filter(pred).length;
    return applyExitCode(summary.lastPlan, {
      succeeded: count((r) => r.outcome === "succeeded"),
      failed: count((r) => r.outcome === "failed"),
      gateFailed: count((r) => r.outcome === "gate-failed"),
      skipped: count((r) => r.outcome === "skipped"),
      stale: count((r) => r.reason === "stale"),
      aborted: count((r) => r.reason === "aborted"),
    });
  }
  return planExitCode(summary.lastPlan, { detailedExitcode: true, detectDrift: true });
}

/** `drgitops watch`: validate → plan on every save, re-check DataRobot on an interval, optionally heal. */
export const register: RegisterCommand = (program, ctx, run) => {
  const command = program
    .command("watch")
    .description(
      "Re-plan on every file change and re-check DataRobot on an interval; report drift, optionally heal it",
    )
    .argument("[paths...]", "manifest files or folders (default: drgitops.yaml paths, else .)")
    .option(
      "--interval <seconds>",
      "re-list live state this long after the previous check ended, plus up to 10 % jitter (longer after errors and 429s)",
      parseCount("--interval", 1),
      DEFAULT_INTERVAL_S,
    )
    .option(
      "--debounce <ms>",
      "wait for this much quiet after a file event before planning",
      parseCount("--debounce", 0),
      DEFAULT_DEBOUNCE_MS,
    )
    .option(
      "--apply",
      "self-heal: apply every plan that has changes, with apply's guards (prune only with --prune)",
    )
    .option(
      "--git-pull",
      "before each check, git fetch and fast-forward the current branch (a diverged or dirty branch is reported, never reset)",
    )
    .option(
      "--notify <url>",
      "POST drift, resolved, applied and error events as JSON (with a Slack-style `text`) to this webhook",
    )
    .option("--once", "one cycle, then exit as `plan --detailed-exitcode --detect-drift` does")
    .addOption(
      new Option("--format <format>", "human (one line per event), or json (one JSON object per line)")
        .choices(["human", "json"])
        .default("human"),
    );
  addCommonOptions(command).addHelpText(
    "after",
    "\nEvents: ready, plan {trigger: start|files|interval|git, changes, drifted, durationMs, issues?},\n" +
      "drift {key, reasons} (once, when it appears), resolved {key}, applied {outcomes}, error {message}, stopped.\n" +
      "A file change re-plans against the last observed live state; live state is re-listed on the interval\n" +
      "and after an apply. SIGINT/SIGTERM stop it (with --apply, after the running action).\n" +
      "Exit codes: 0 stopped; with --once 0 in sync, 2 changes, 6 drift, 3 invalid manifests, 1 error\n" +
      "(--once --apply: 0, 4 some actions failed, 7 a test gate failed).\n",
  );
  command.action((paths: string[], flags: WatchFlags) => run(() => watch(ctx, paths, flags)));
};

async function watch(ctx: CliContext, paths: string[], flags: WatchFlags): Promise<number> {
  // Usage errors (a bad --selector) before anything is loaded or started.
  const planOptions = planOptionsOf(flags);
  if (flags.notify !== undefined && !/^https?:\/\//i.test(flags.notify))
    throw new UsageError("--notify must be an http(s) URL");
  // A watch follows every change as it happens: a REF or a CI shard would hide some of them.
  if (flags.changedSince !== undefined) throw new UsageError("--changed-since is for CI runs, not watch");
  if (flags.shard !== undefined) throw new UsageError("--shard is for CI matrices, not watch");
  const selected = selectProfile(ctx, await loadProjectConfig(await findProjectRoot(ctx.cwd)), flags.profile);
  const namespace = await namespaceFor(ctx.cwd, flags.namespace, selected?.profile.namespace);
  const project = await IncrementalProject.open({
    paths,
    cwd: ctx.cwd,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(selected !== undefined ? { profile: selected.name } : {}),
  });
  const { root, config } = project.result.project;
  if (flags.gitPull && (await gitRoot(root)) === undefined)
    throw new UsageError("--git-pull needs the manifests to be in a git work tree");
  const connection = await connect(ctx, { root, config }, flags);
  const notifier =
    flags.notify === undefined
      ? undefined
      : new Notifier(flags.notify, {
          onFailure: (message) => view.onEvent({ type: "error", at: new Date().toISOString(), message }),
        });
  const view: WatchView =
    flags.format === "json"
      ? createWatchJsonView(ctx.stdout, ctx.cwd)
      : createWatchHumanView(ctx.stdout, {
          color: shouldColor(ctx.stdout, ctx.env),
          formatIssue: (issue) => formatIssue(issue, ctx.cwd),
        });
  const parallelism = config.parallelism ?? DEFAULT_PARALLELISM;
  const secretKey = secretKeyFor(ctx, connection);
  // Whatever produced the text (a handler, DataRobot's own message), no known secret is printed.
  const { redact } = connection.client;
  try {
    const engine = new WatchEngine({
      project,
      client: connection.client,
      env: ctx.env,
      planOptions: { ...planOptions, secretKey },
      parallelism,
      intervalMs: flags.interval * 1000,
      debounceMs: flags.debounce,
      watchFiles: flags.once !== true,
      once: flags.once === true,
      apply: flags.apply
        ? {
            context: () => applyContext(ctx, connection.client, root, secretKey),
            lock: (signal) =>
              takeApplyLock({ ...ctx, signal }, connection, project.result.project.namespace, LOCK_WAIT_MS),
          }
        : undefined,
      pull: flags.gitPull
        ? async (at, signal) => (await import("../../git/fast-forward.js")).fastForward(at, signal)
        : undefined,
      emit: (raw: WatchEngineEvent) => {
        const event = redactWatchEvent(raw, redact);
        view.onEvent(event);
        const shown = publicEvent(event, ctx.cwd);
        if (notifier && NOTIFIED.has(shown.event))
          notifier.push({
            ...shown,
            text: `drgitops ${project.result.project.namespace}: ${describeEvent(event)}`,
          });
      },
      ...(view.onApplyEvent
        ? { onApplyEvent: (event: ApplyEvent) => view.onApplyEvent?.(redactEvent(event, redact)) }
        : {}),
      onStatus: view.onStatus,
    });
    const summary = await engine.run(ctx.signal);
    return flags.once ? watchOnceExitCode(summary) : ExitCode.ok;
  } finally {
    view.close();
    await notifier?.close();
    await connection.close();
  }
}

/** Re-read per apply: with --git-pull the commit moves between applies. */
async function applyContext(
  ctx: CliContext,
  client: ApplyContext["client"],
  root: string,
  secretKey: string,
): Promise<ApplyContext> {
  return {
    client,
    provenance: await readProvenance(root, ctx.env),
    projectRoot: root,
    env: ctx.env,
    secretKey,
    waitTimeoutMs: WAIT_TIMEOUT_MS,
  };
}

/** Error messages and apply results, with every known secret masked. */
function redactWatchEvent(event: WatchEngineEvent, redact: (text: string) => string): WatchEngineEvent {
  if (event.type === "error") return { ...event, message: redact(event.message) };
  if (event.type === "applied")
    return {
      ...event,
      results: event.results.map((r) => (r.message === undefined ? r : { ...r, message: redact(r.message) })),
    };
  return event;
}
