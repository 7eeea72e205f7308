import type { DataRobotClient } from "../client/index.js";
import type { PullResult } from "../git/fast-forward.js";
import type { FileEvent, IncrementalProject } from "../spec/incremental.js";
import type { Issue } from "../spec/issue.js";
import { applyPlan } from "./apply.js";
import { desiredStateFromProject, secretsOf } from "./desired.js";
import type { ApplyEvent } from "./events.js";
import type { TaskResult } from "./executor.js";
import type { ApplyContext, NamespaceLock } from "./io.js";
import { observeListings, planWithNeeds } from "./observe.js";
import type { Plan } from "./plan-file.js";
import type { BuildPlanOptions } from "./plan.js";
import type { LiveState } from "./state.js";
import type { Project } from "../spec/project.js";
import { DriftTracker } from "./watch-drift.js";
import { FileWatcher } from "./watch-files.js";
import { nextIntervalMs, WatchMachine, type CycleRequest, type Trigger } from "./watch-machine.js";

/**
 * `drgitops watch`: a reconcile loop (DESIGN.md §11) in the controller-runtime mould. A cycle is a
 * function of (desired, live) that ends in a plan, and (with --apply) in applying it; the state
 * machine decides when cycles run, chokidar, the jittered interval and git pull feed it triggers.
 * The engine emits typed events and never prints: the CLI's views render them.
 */

/** What the loop reports; the CLI turns these into the `--format json` lines and human lines. */
export type WatchEngineEvent =
  | { type: "ready"; at: string; paths: string[]; intervalMs: number; once: boolean }
  | {
      type: "plan";
      at: string;
      trigger: Trigger;
      /** Undefined when the manifests are invalid: `issues` says why, nothing was planned. */
      plan?: Plan;
      changes: number;
      drifted: string[];
      durationMs: number;
      issues?: Issue[];
    }
  | { type: "drift"; at: string; key: string; reasons: string[] }
  | { type: "resolved"; at: string; key: string }
  | { type: "applied"; at: string; plan: Plan; results: TaskResult[] }
  | { type: "error"; at: string; message: string }
  | { type: "stopped"; at: string };

/** For a live status line: when live state was last observed, when next, and how things stand. */
export interface WatchStatus {
  lastCheckAt: string | undefined;
  nextCheckAt: string | undefined;
  changes: number;
  drifted: number;
  invalid: boolean;
}

export interface WatchOptions {
  project: IncrementalProject;
  client: DataRobotClient;
  env: NodeJS.ProcessEnv;
  planOptions: BuildPlanOptions;
  parallelism: number;
  intervalMs: number;
  debounceMs: number;
  /** Watch files (off for --once: one cycle needs no watcher). */
  watchFiles: boolean;
  /** One cycle, then stop. */
  once: boolean;
  /**
   * Self-heal: apply each plan that has changes, with apply's guards. `lock` takes the namespace's
   * apply lock: the plan is made again under it (another apply may have run) before it is applied.
   */
  apply?:
    | {
        context: () => Promise<ApplyContext>;
        lock?: ((signal: AbortSignal) => Promise<NamespaceLock>) | undefined;
      }
    | undefined;
  /** `git fetch` + fast-forward before each re-observation (GitOps pull mode). */
  pull?: ((root: string, signal: AbortSignal) => Promise<PullResult>) | undefined;
  emit: (event: WatchEngineEvent) => void;
  onApplyEvent?: (event: ApplyEvent) => void;
  onStatus?: (status: WatchStatus) => void;
  random?: () => number;
  /** Makes the file watcher (tests reach into the moment before it watches). */
  fileWatcher?: (...args: ConstructorParameters<typeof FileWatcher>) => FileWatcher;
}

/** How the last cycle ended, for `watch --once` exit codes. */
export interface WatchSummary {
  lastPlan: Plan | undefined;
  invalid: boolean;
  errored: boolean;
  applied: TaskResult[] | undefined;
}

/**
 * Rounds of watching new paths and reading them again (each can only follow a save made during the
 * one before); past this the next file event takes it on.
 */
const MAX_WATCH_ROUNDS = 5;

/** Which trigger a coalesced cycle reports: the first of these it has. */
const TRIGGER_ORDER: readonly Trigger[] = ["start", "git", "files", "interval"];

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class WatchEngine {
  private readonly machine: WatchMachine<FileEvent>;
  private readonly drift = new DriftTracker();
  private files: FileWatcher | undefined;
  /** The wanted paths the file watcher was last pointed at. */
  private watched: string[] | undefined;
  private live: LiveState | undefined;
  private liveStale = true;
  /** The cycle after an apply re-observes and reports; it never applies again by itself. */
  private followUp = false;
  private consecutiveErrors = 0;
  /** Cycles in a row that met rate limiting (429, Retry-After), and the longest wait asked for. */
  private consecutiveThrottled = 0;
  private retryAfterMs = 0;
  /** The blocking refusal reported last: said once, not on every cycle. */
  private lastRefusal: string | undefined;
  private lastPullError: string | undefined;
  /** The validation errors reported last, so an interval does not repeat them. */
  private lastInvalid: string | undefined;
  private readonly status: WatchStatus = {
    lastCheckAt: undefined,
    nextCheckAt: undefined,
    changes: 0,
    drifted: 0,
    invalid: false,
  };
  private readonly summary: WatchSummary = {
    lastPlan: undefined,
    invalid: false,
    errored: false,
    applied: undefined,
  };

  constructor(private readonly options: WatchOptions) {
    this.machine = new WatchMachine<FileEvent>({
      debounceMs: options.debounceMs,
      run: (request) => this.cycle(request),
      onError: (error) => this.error(error),
    });
  }

  /** Runs until `signal` aborts (or after one cycle with `once`); resolves once everything is closed. */
  async run(signal: AbortSignal): Promise<WatchSummary> {
    const stop = (): void => void this.machine.stop();
    signal.addEventListener("abort", stop, { once: true });
    try {
      if (this.options.watchFiles && !signal.aborted) {
        const { project } = this.options;
        const make = this.options.fileWatcher ?? ((...args) => new FileWatcher(...args));
        this.files = make(
          (event) => this.machine.fileEvent(event),
          (message) => this.emit({ type: "error", message }),
          (path) => project.ignores(path),
        );
        await this.watchWanted(undefined);
      }
      this.emit({
        type: "ready",
        paths: this.files?.paths ?? [],
        intervalMs: this.options.intervalMs,
        once: this.options.once,
      });
      if (signal.aborted) await this.machine.stop();
      else this.machine.trigger("start");
      await this.machine.done;
    } finally {
      signal.removeEventListener("abort", stop);
      await this.files?.close();
      await this.options.project.persist();
      this.emit({ type: "stopped" });
    }
    return this.summary;
  }

  private emit(event: DistributiveOmit<WatchEngineEvent, "at">): void {
    this.options.emit({ ...event, at: new Date().toISOString() });
  }

  private error(error: unknown): void {
    this.summary.errored = true;
    this.emit({ type: "error", message: messageOf(error) });
  }

  private async cycle(request: CycleRequest<FileEvent>): Promise<void> {
    const started = Date.now();
    const { signal, triggers } = request;
    const { project, client } = this.options;
    let trigger = TRIGGER_ORDER.find((t) => triggers.has(t)) ?? "files";
    const reobserve = triggers.has("start") || triggers.has("interval") || triggers.has("git");
    let observed = false;
    let failed = false;
    const followUp = this.followUp;
    this.followUp = false;
    try {
      const events = [...request.files];
      if (this.options.pull && reobserve) {
        const pulled = await this.pullQuietly(project.root, signal);
        if (pulled?.status === "pulled") {
          trigger = "git";
          // Added, changed or deleted: a pull says which paths, not how (a new manifest must be found).
          events.push(...pulled.files.map((path): FileEvent => ({ type: "rescan", path })));
        }
      }
      if (events.length > 0) {
        const update = await project.update(events);
        const reread = await this.watchWanted(events);
        // A touch, or the file events that echo a pull already read: nothing new to plan.
        if (!update.changed && !reread && !reobserve && !this.liveStale) return;
      }
      const load = project.result;
      if (!load.ok) return this.reportInvalid(trigger, load.issues, started);
      // Before any request: a sensitive value DataRobot echoes in an error never reaches the output.
      client.addSecrets(...secretsOf(load.project, this.options.env));
      if (reobserve || this.liveStale || this.live === undefined) {
        this.live = await observeListings(client, load.project.namespace, signal);
        this.liveStale = false;
        observed = true;
        this.status.lastCheckAt = new Date().toISOString();
      }
      const planned = await this.plan(load.project, this.live, signal);
      if (!planned.ok) return this.reportInvalid(trigger, planned.issues, started);
      const { plan } = planned;
      this.reportPlan(trigger, plan, started);
      if (this.options.apply && !followUp && !signal.aborted && this.mayApply(plan))
        failed = !(await this.heal(load.project, plan, signal));
      this.consecutiveErrors = failed ? this.consecutiveErrors + 1 : 0;
    } catch (error) {
      if (signal.aborted) return;
      failed = true;
      this.consecutiveErrors++;
      this.error(error);
    } finally {
      if (reobserve || observed || failed) {
        this.noteThrottling();
        this.scheduleNext();
      }
      this.options.onStatus?.({ ...this.status });
      if (this.options.once) void this.machine.stop();
    }
  }

  /**
   * Points the file watcher at what the project now wants watched, then reads again whatever it
   * began to watch: chokidar reports nothing about what is already there, so a save between the
   * project reading a path and the watcher covering it would go unseen until the next save (at
   * start that is the whole load, the connection and chokidar's scan of every file). Reading again
   * can change what is wanted (a manifest saved meanwhile names another source), so it goes round
   * until nothing new is watched. True when the reading again changed the project.
   *
   * After a batch of mere `change` events that left the wanted paths as they were, nothing is
   * watched anew, so the 2,000 stats of working the targets out again are skipped: most saves are
   * that.
   */
  private async watchWanted(events: readonly FileEvent[] | undefined): Promise<boolean> {
    const { project } = this.options;
    let changed = false;
    for (let round = 0; this.files !== undefined && round < MAX_WATCH_ROUNDS; round++) {
      const wanted = project.wantedPaths();
      const same =
        round === 0 &&
        events !== undefined &&
        this.watched !== undefined &&
        events.every((e) => e.type === "change") &&
        wanted.length === this.watched.length &&
        wanted.every((path, i) => path === this.watched![i]);
      this.watched = wanted;
      if (same) return false;
      const began = await this.files.set(wanted);
      if (began.length === 0) return changed;
      const update = await project.update(began.map((path): FileEvent => ({ type: "rescan", path })));
      if (!update.changed) return changed;
      changed = true;
    }
    return changed;
  }

  /**
   * A failed pull is reported (once while it keeps failing the same way) and the cycle goes on with
   * the work tree as it is.
   */
  private async pullQuietly(root: string, signal: AbortSignal): Promise<PullResult | undefined> {
    try {
      const pulled = await this.options.pull?.(root, signal);
      this.lastPullError = undefined;
      return pulled;
    } catch (error) {
      const message = messageOf(error);
      if (!signal.aborted && message !== this.lastPullError) this.error(error);
      this.lastPullError = message;
      return undefined;
    }
  }

  private reportInvalid(trigger: Trigger, issues: Issue[], started: number): void {
    const errors = issues.filter((i) => i.severity === "error");
    const signature = JSON.stringify(errors);
    // An interval finding the same problems again has nothing new to say.
    if (trigger === "interval" && signature === this.lastInvalid) return;
    this.lastInvalid = signature;
    this.summary.invalid = true;
    this.status.invalid = true;
    this.emit({
      type: "plan",
      trigger,
      changes: 0,
      drifted: this.drift.keys,
      durationMs: Date.now() - started,
      issues: errors,
    });
  }

  private reportPlan(trigger: Trigger, plan: Plan, started: number): void {
    this.lastInvalid = undefined;
    this.summary.lastPlan = plan;
    this.summary.invalid = false;
    const { appeared, resolved } = this.drift.update(plan.drift);
    Object.assign(this.status, {
      changes: plan.actions.length,
      drifted: this.drift.keys.length,
      invalid: false,
    });
    this.emit({
      type: "plan",
      trigger,
      plan,
      changes: plan.actions.length,
      drifted: this.drift.keys,
      durationMs: Date.now() - started,
    });
    for (const d of appeared) this.emit({ type: "drift", ...d });
    for (const key of resolved) this.emit({ type: "resolved", key });
  }

  /**
   * apply's guards: a blocking refusal (prune beyond --max-deletions, a mistyped target) refuses the
   * whole plan, reported once until the refusal changes or goes; deletions are planned only with
   * --prune; a failing test gate is in the plan (no action re-runs it).
   */
  private mayApply(plan: Plan): boolean {
    const blocking = plan.refusals.filter((r) => r.blocking).map((r) => r.reason);
    const refusal = blocking.length > 0 ? blocking.join("; ") : undefined;
    if (refusal !== undefined && refusal !== this.lastRefusal)
      this.emit({ type: "error", message: `refused to apply: ${refusal}` });
    this.lastRefusal = refusal;
    return refusal === undefined && plan.actions.length > 0;
  }

  /** Desired state against `live`, planned; what was fetched for it stays for the next cycle. */
  private async plan(
    project: Project,
    live: LiveState,
    signal: AbortSignal,
  ): Promise<{ ok: true; plan: Plan } | { ok: false; issues: Issue[] }> {
    const { planOptions, env, client, parallelism } = this.options;
    const desired = desiredStateFromProject(project, {
      live,
      env,
      secretKey: planOptions.secretKey ?? "",
    });
    if (desired.issues.some((i) => i.severity === "error")) return { ok: false, issues: desired.issues };
    const planned = await planWithNeeds(desired.state, live, {
      client,
      project,
      planOptions,
      parallelism,
      signal,
    });
    // File digests of versions and latest tests fetched for the plan are kept with live state.
    this.live = planned.live;
    return { ok: true, plan: planned.plan };
  }

  /**
   * Applies a plan; stopping lets the running action finish. Under the namespace's apply lock (when
   * there is one) the plan is made again first: another apply may have changed what there is to do.
   * True when every action succeeded.
   */
  private async heal(project: Project, planned: Plan, signal: AbortSignal): Promise<boolean> {
    const apply = this.options.apply;
    if (!apply) return true;
    let lock: NamespaceLock | undefined;
    try {
      let plan = planned;
      if (apply.lock) {
        lock = await apply.lock(signal);
        const live = await observeListings(this.options.client, project.namespace, signal);
        const again = await this.plan(project, live, signal);
        if (!again.ok || !this.mayApply(again.plan)) return again.ok;
        plan = again.plan;
      }
      const results = await applyPlan(plan, {
        context: await apply.context(),
        parallelism: this.options.parallelism,
        stopStarting: signal,
        savedPlan: false,
        ...(this.options.onApplyEvent ? { onEvent: this.options.onApplyEvent } : {}),
      });
      this.summary.applied = results;
      this.emit({ type: "applied", plan, results });
      return results.every((r) => r.outcome === "succeeded");
    } finally {
      await lock?.release();
      // Live state moved (or another apply moved it): re-list at once, and report how it looks now.
      this.liveStale = true;
      this.followUp = true;
      this.machine.trigger("interval");
    }
  }

  /**
   * A server that rate limits (429, or 503 with Retry-After) slows the loop down rather than failing
   * it: the client already waited and retried; the next checks come later, doubling while it lasts
   * (as after errors) and never sooner than the longest Retry-After it asked for.
   */
  private noteThrottling(): void {
    const met = this.options.client.takeThrottling();
    if (met.count === 0) {
      this.consecutiveThrottled = 0;
      this.retryAfterMs = 0;
      return;
    }
    this.consecutiveThrottled++;
    this.retryAfterMs = met.longestWaitMs;
  }

  private scheduleNext(): void {
    const ms = nextIntervalMs(
      this.options.intervalMs,
      {
        consecutiveErrors: Math.max(this.consecutiveErrors, this.consecutiveThrottled),
        retryAfterMs: this.retryAfterMs,
      },
      this.options.random,
    );
    this.status.nextCheckAt = new Date(Date.now() + ms).toISOString();
    this.machine.schedule("interval", ms);
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
