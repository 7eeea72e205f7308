import { basename, isAbsolute, relative, resolve } from "node:path";
import { InvalidArgumentError, type Command } from "commander";
import { UsageError } from "../errors.js";
import type { NamespaceLock } from "../reconcile/io.js";
import { lockNamespace } from "../reconcile/lock.js";
import { secretsOf } from "../reconcile/desired.js";
import { observeAndPlan, observeListings, type ObserveAndPlanResult } from "../reconcile/observe.js";
import type { Plan } from "../reconcile/plan-file.js";
import { DEFAULT_MAX_DELETIONS, type BuildPlanOptions } from "../reconcile/plan.js";
import { parseShard, shardPlan, type Shard } from "../reconcile/shard.js";
import type { LiveState } from "../reconcile/state.js";
import {
  findProjectRoot,
  loadProject,
  loadProjectConfig,
  type Issue,
  type LoadResult,
} from "../spec/index.js";
import type { Project } from "../spec/project.js";
import { changedFilesSince, describeScope, addChangedSinceOption } from "./changed-since.js";
import { annotateIssues } from "./ci-output.js";
import type { Connection } from "./connection.js";
import type { CliContext } from "./context.js";
import { ExitCode } from "./exit-codes.js";
import { namespaceFor } from "./namespace.js";
import { addProfileOption, profileConnection, selectProfile } from "./profiles.js";
import type { PlanFormat } from "./views/index.js";

// The HTTP client, the views and the zip readers are imported where they are used: a command
// loads only what it runs (start-up time is most of a short command's time).

/** What the commands share: flags, the validated load, the connection, issue formatting. */

export { addProfileOption, requestedProfile, selectProfile, type SelectedProfile } from "./profiles.js";
export { addChangedSinceOption } from "./changed-since.js";

/** Flags plan and apply share. */
export interface CommonFlags {
  endpoint?: string;
  token?: string;
  profile?: string;
  namespace?: string;
  changedSince?: string;
  shard?: Shard;
  target?: string[];
  selector?: string[];
  prune?: boolean;
  maxDeletions?: number;
  allowEmpty?: boolean;
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

/** The connection flags (every command that talks to DataRobot), `--profile` included. */
export function addConnectionOptions(command: Command): Command {
  command
    .option("--endpoint <url>", "DataRobot endpoint, or `local` for the embedded emulator")
    .option("--token <token>", "DataRobot API token (prefer DATAROBOT_API_TOKEN: argv is visible to others)");
  return addProfileOption(command);
}

/** Options plan and apply take, with their help texts. */
export function addCommonOptions(command: Command): Command {
  command
    .option("--target <key>", "only this model/environment/dataset (name or full key); repeatable", collect)
    .option("--selector <k=v>", "only manifests whose labels match; repeatable, all must match", collect)
    .option(
      "--prune",
      "delete managed models and deployments whose manifest is gone (never protected or deployed ones)",
    )
    .option(
      "--max-deletions <n>",
      `refuse to prune more than n models and deployments in one run (default ${DEFAULT_MAX_DELETIONS})`,
      parseCount("--max-deletions", 0),
    )
    .option(
      "--namespace <namespace>",
      "namespace of model keys (default: drgitops.yaml, else the git remote)",
    );
  addChangedSinceOption(command);
  command.option(
    "--shard <i/n>",
    "only share I of N of the plan (CI matrices): by key hash, each resource with what it waits for",
    (value: string) => {
      try {
        return parseShard(value);
      } catch (error) {
        throw new InvalidArgumentError((error as Error).message);
      }
    },
  );
  return addConnectionOptions(command);
}

export function planOptionsOf(flags: CommonFlags, extra: Partial<BuildPlanOptions> = {}): BuildPlanOptions {
  return {
    prune: flags.prune === true,
    ...(flags.maxDeletions !== undefined ? { maxDeletions: flags.maxDeletions } : {}),
    allowEmpty: flags.allowEmpty === true,
    targets: flags.target ?? [],
    selector: parseSelectors(flags.selector ?? []),
    ...extra,
  };
}

/** A path for messages: relative to the working directory when it is inside it. */
export function displayFile(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel === "" || rel.startsWith("..") || isAbsolute(rel) ? file : rel;
}

/** `spec.classLabels[1].x` — the way a person would write the path. */
export function formatPath(path: Issue["path"]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? segment : `.${segment}`;
  }
  return out === "" ? "-" : out;
}

export function formatIssue(issue: Issue, cwd: string): string {
  const where = `${displayFile(issue.file, cwd)}:${issue.line}:${issue.column}`;
  const what = issue.kind !== undefined ? `${issue.kind}/${issue.name ?? "?"}` : "-";
  const message = issue.severity === "warning" ? `warning: ${issue.message}` : issue.message;
  return `${where}  ${what}  ${formatPath(issue.path)}  ${message} [${issue.code}]`;
}

export interface LoadManifestsOptions {
  hash: boolean;
  /** `--profile` (DRGITOPS_PROFILE when absent); an unknown profile is a usage error. */
  profile?: string | undefined;
  /** `--changed-since REF`: only what changed since REF is loaded (and said so on stderr). */
  changedSince?: string | undefined;
}

/** Loads the manifests as `validate` does, with the namespace and profile every command agrees on. */
export async function loadManifests(
  ctx: CliContext,
  paths: string[],
  namespaceFlag: string | undefined,
  options: LoadManifestsOptions,
): Promise<LoadResult> {
  const root = await findProjectRoot(ctx.cwd);
  const selected = selectProfile(ctx, await loadProjectConfig(root), options.profile);
  const namespace = await namespaceFor(ctx.cwd, namespaceFlag, selected?.profile.namespace);
  const ref = options.changedSince;
  const result = await loadProject({
    paths,
    cwd: ctx.cwd,
    hash: options.hash,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(selected !== undefined ? { profile: selected.name } : {}),
    ...(ref !== undefined ? { changedFiles: await changedFilesSince(ctx, ref, root) } : {}),
  });
  if (ref !== undefined && result.scope !== undefined) describeScope(ctx, ref, result.scope);
  return result;
}

/** Validation first (as `validate` does it): invalid manifests stop the command with exit 3. */
export async function loadValidated(
  ctx: CliContext,
  paths: string[],
  namespaceFlag: string | undefined,
  options: Omit<LoadManifestsOptions, "hash"> = {},
): Promise<LoadResult | undefined> {
  const result = await loadManifests(ctx, paths, namespaceFlag, { ...options, hash: true });
  const errors = result.issues.filter((i) => i.severity === "error");
  for (const issue of result.issues) ctx.stderr.write(`${formatIssue(issue, ctx.cwd)}\n`);
  await annotateIssues(ctx, result.issues, ctx.stderr, result.project.root);
  // With --changed-since an empty scope is not "no manifests": the scope line has said why.
  if (result.project.resources.length === 0 && errors.length === 0 && result.scope === undefined)
    ctx.stderr.write(
      `drgitops: no manifests found (apiVersion: drgitops/v1) in ${paths.length > 0 ? paths.join(", ") : "the default paths"}\n`,
    );
  if (errors.length > 0) {
    ctx.stderr.write(
      `invalid: ${errors.length} error${errors.length === 1 ? "" : "s"}; nothing was planned\n`,
    );
    return undefined;
  }
  return result;
}

/** Plan-time issues (unresolvable references, unset variables), with their annotations in CI. */
export async function reportIssues(
  ctx: CliContext,
  issues: readonly Issue[],
  projectRoot: string,
): Promise<void> {
  for (const issue of issues) ctx.stderr.write(`${formatIssue(issue, ctx.cwd)}\n`);
  await annotateIssues(ctx, issues, ctx.stderr, projectRoot);
  ctx.stderr.write("cannot plan: the problems above must be fixed first; nothing was changed\n");
}

export interface ConnectFlags {
  endpoint?: string | undefined;
  token?: string | undefined;
  /** `--profile`; DRGITOPS_PROFILE when absent. Ignored when the project was loaded with a profile. */
  profile?: string | undefined;
  parallelism?: number | undefined;
}

/**
 * Opens the connection a project's commands use (its emulator seed for the embedded default):
 * flags, then the selected profile's endpoint and token variable, then the usual sources.
 */
export async function connect(
  ctx: CliContext,
  project: Pick<Project, "root" | "config"> & { profile?: string | undefined },
  flags: ConnectFlags,
): Promise<Connection> {
  const seed = project.config.emulator?.seed;
  const selected = selectProfile(
    ctx,
    { config: project.config, issues: [] },
    project.profile ?? flags.profile,
  );
  const { openConnection } = await import("./connection.js");
  return await openConnection(ctx, {
    endpoint: flags.endpoint,
    token: flags.token,
    profile: profileConnection(selected),
    projectRoot: project.root,
    seedFile: seed ? resolve(project.root, seed) : undefined,
    parallelism: flags.parallelism ?? project.config.parallelism,
  });
}

/** A remote connection opened before the manifests are loaded, with its listing under way. */
interface EarlyListing {
  connection: Connection;
  namespace: string;
  listing: Promise<LiveState>;
}

/**
 * Listing live state is mostly waiting for the server; loading the manifests is mostly CPU. With a
 * remote endpoint (opening it starts and prints nothing) both run at once. The embedded emulator,
 * and anything that fails here, goes the sequential way, so errors surface as they always did.
 */
async function listEarly(
  ctx: CliContext,
  flags: CommonFlags,
  parallelism: number | undefined,
): Promise<EarlyListing | undefined> {
  const { resolvesRemote } = await import("./connection.js");
  if (!resolvesRemote(ctx, flags)) return undefined;
  try {
    const root = await findProjectRoot(ctx.cwd);
    const { config } = await loadProjectConfig(root);
    const namespace = (await namespaceFor(ctx.cwd, flags.namespace)) ?? basename(root);
    const connection = await connect(ctx, { root, config }, { ...flags, parallelism });
    const listing = observeListings(connection.client, namespace, ctx.signal);
    // Awaited only when the manifests are valid; until then a failure must not go unhandled.
    listing.catch(() => undefined);
    return { connection, namespace, listing };
  } catch {
    return undefined;
  }
}

/**
 * The key of sensitive values' digests: `DRGITOPS_PLAN_KEY` when set (stable across token
 * rotations, and needed to apply a saved plan elsewhere), else one derived from the API token.
 */
export function secretKeyFor(ctx: CliContext, connection: Connection): string {
  const key = ctx.env["DRGITOPS_PLAN_KEY"];
  return key !== undefined && key !== "" ? key : connection.tokenKey;
}

/** Takes the namespace's apply lock, saying once per holder that another run has it. */
export async function takeApplyLock(
  ctx: CliContext,
  connection: Connection,
  namespace: string,
  waitMs: number,
): Promise<NamespaceLock> {
  let told = "";
  return await lockNamespace({
    client: connection.client,
    namespace,
    waitMs,
    signal: ctx.signal,
    onWait: (holder) => {
      if (holder === told) return;
      told = holder;
      ctx.stderr.write(`drgitops: waiting for the apply lock of namespace ${namespace}, held by ${holder}\n`);
    },
  });
}

/**
 * Loads, connects and plans; the connection is returned open (apply goes on with it). With `lock`,
 * a plan that has actions is made again under the namespace's apply lock, returned held.
 */
export async function planFromManifests(
  ctx: CliContext,
  paths: string[],
  flags: CommonFlags,
  extra: Partial<BuildPlanOptions> & { parallelism?: number; lock?: { waitMs: number } } = {},
): Promise<
  | { code: number }
  | {
      code: null;
      load: LoadResult;
      connection: Connection;
      lock: NamespaceLock | undefined;
      result: Extract<ObserveAndPlanResult, { ok: true }>;
    }
> {
  // Usage errors (a bad --selector) before anything is loaded or started.
  const { parallelism: _p, lock: lockOptions, ...planExtra } = extra;
  const usagePlanOptions = planOptionsOf(flags, planExtra);
  if (flags.changedSince !== undefined && flags.prune === true)
    throw new UsageError(
      "--prune cannot be used with --changed-since: a resource outside the change is not gone; prune with a full plan",
    );
  const early = await listEarly(ctx, flags, extra.parallelism);
  const load = await loadValidated(ctx, paths, flags.namespace, {
    profile: flags.profile,
    changedSince: flags.changedSince,
  });
  if (!load) {
    await early?.connection.close();
    return { code: ExitCode.invalidManifests };
  }
  const { project } = load;
  const parallelism = extra.parallelism ?? project.config.parallelism;
  const connection = early?.connection ?? (await connect(ctx, project, { ...flags, parallelism }));
  // Before the first request: a sensitive value DataRobot echoes in an error never reaches the output.
  // (The early listing sends none of them; if it failed, the listing is made again from here.)
  connection.client.addSecrets(...secretsOf(project, ctx.env));
  const planOptions = { ...usagePlanOptions, secretKey: secretKeyFor(ctx, connection) };
  let lock: NamespaceLock | undefined;
  const observe = (listed?: LiveState) =>
    observeAndPlan({
      client: connection.client,
      project,
      env: ctx.env,
      planOptions,
      signal: ctx.signal,
      ...(parallelism !== undefined ? { parallelism } : {}),
      ...(listed !== undefined ? { listed } : {}),
    });
  // The plan this run acts on: this shard's share of the whole, named with its profile and REF.
  let whole: Plan | undefined;
  const observeShare = async (listed?: LiveState): Promise<ObserveAndPlanResult> => {
    const observed = await observe(listed);
    if (!observed.ok) return observed;
    whole = observed.plan;
    const share = flags.shard === undefined ? whole : shardPlan(whole, observed.desired, flags.shard);
    const plan = {
      ...share,
      ...(project.profile !== undefined ? { profile: project.profile } : {}),
      ...(flags.changedSince !== undefined ? { changedSince: flags.changedSince } : {}),
    };
    return { ...observed, plan };
  };
  try {
    const listed =
      early?.namespace === project.namespace ? await early.listing.catch(() => undefined) : undefined;
    let result = await observeShare(listed);
    // A plan with something to do is made again under the namespace's lock, so two applies never
    // interleave (the second one plans against what the first did). One with nothing to do writes
    // nothing at all, not even the lock.
    if (lockOptions && result.ok && result.plan.actions.length > 0) {
      lock = await takeApplyLock(ctx, connection, project.namespace, lockOptions.waitMs);
      result = await observeShare();
    }
    if (!result.ok) {
      await reportIssues(ctx, result.issues, project.root);
      await lock?.release();
      await connection.close();
      return { code: ExitCode.invalidManifests };
    }
    if (flags.shard !== undefined && whole !== undefined) describeShard(ctx, whole, result.plan);
    return { code: null, load, connection, lock, result };
  } catch (error) {
    await lock?.release().catch(() => undefined);
    await connection.close();
    throw error;
  }
}

/** One line on stderr: how much of the whole plan this shard holds. */
function describeShard(ctx: CliContext, whole: Plan, share: Plan): void {
  const keys = (p: Plan): number => new Set([...p.actions.map((a) => a.key), ...p.unchanged]).size;
  ctx.stderr.write(
    `drgitops: shard ${share.shard?.index}/${share.shard?.count}: ${share.actions.length} of ${whole.actions.length} actions, ${keys(share)} of ${keys(whole)} resources\n`,
  );
}

/** Renders a plan for this terminal: colour on a TTY (unless NO_COLOR), unified diffs of text files. */
export async function renderPlanFor(
  ctx: CliContext,
  plan: Plan,
  format: PlanFormat,
  root: string,
  liveTexts: Record<string, Record<string, string>>,
): Promise<string> {
  const [{ renderPlan, shouldColor }, { createTextReader }, { VersionFileCache, versionCacheDir }] =
    await Promise.all([
      import("./views/index.js"),
      import("./views/text-reader.js"),
      import("../reconcile/version-cache.js"),
    ]);
  const readText = createTextReader(liveTexts, new VersionFileCache(versionCacheDir(root)), root);
  return await renderPlan(plan, format, { color: shouldColor(ctx.stdout, ctx.env), readText });
}
