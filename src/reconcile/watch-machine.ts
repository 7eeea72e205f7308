/**
 * The watch loop's state machine (DESIGN.md §11, STYLE practice 9): `idle | running{rerunQueued} |
 * stopped`. Triggers are data; timers come from an injected scheduler, so the machine is tested
 * without waiting. What a cycle does is the caller's `run`; the machine only decides when it runs.
 */

export type Trigger = "start" | "files" | "interval" | "git";

export type MachineState = { type: "idle" } | { type: "running"; rerunQueued: boolean } | { type: "stopped" };

/** What started a cycle: every trigger that arrived since the previous one, and the file events. */
export interface CycleRequest<F> {
  triggers: ReadonlySet<Trigger>;
  files: readonly F[];
  /** Aborted when the machine stops: the cycle's requests end at once. */
  signal: AbortSignal;
}

export interface Scheduler {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const DEFAULT_SETTLE_MS = 25;

export const realScheduler: Scheduler = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface MachineOptions<F> {
  /** Quiet time after the last file event of a burst before its trailing cycle. */
  debounceMs: number;
  /** Wait after the first event of a quiet period before its cycle (default 25 ms, at most debounceMs). */
  settleMs?: number;
  run: (request: CycleRequest<F>) => Promise<void>;
  /** A cycle that threw (the caller's run should report its own errors; this is the safety net). */
  onError?: (error: unknown) => void;
  scheduler?: Scheduler;
}

export class WatchMachine<F> {
  private current: MachineState = { type: "idle" };
  private readonly pendingTriggers = new Set<Trigger>();
  private pendingFiles: F[] = [];
  private debounce: unknown;
  private leading: unknown;
  private readonly timers = new Map<Trigger, unknown>();
  private controller: AbortController | undefined;
  private running: Promise<void> | undefined;
  private readonly scheduler: Scheduler;
  private resolveDone!: () => void;
  /** Resolves once the machine is stopped and its last cycle has ended. */
  readonly done: Promise<void>;

  constructor(private readonly options: MachineOptions<F>) {
    this.scheduler = options.scheduler ?? realScheduler;
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  get state(): MachineState {
    return this.current;
  }

  /**
   * A file event. The first one after a quiet period starts a cycle after a short settle (the
   * truncate and the write of one save arrive together), so a save shows up as a plan without
   * waiting for the debounce; the events that follow within `debounceMs` of each other are collected
   * into one more cycle after the burst. A burst is at most two cycles, the last one seeing it all.
   */
  fileEvent(event: F): void {
    if (this.current.type === "stopped") return;
    this.pendingFiles.push(event);
    this.pendingTriggers.add("files");
    if (this.debounce === undefined && this.leading === undefined)
      this.leading = this.scheduler.setTimeout(
        () => {
          this.leading = undefined;
          if (this.pendingTriggers.has("files")) this.request();
        },
        Math.min(this.options.settleMs ?? DEFAULT_SETTLE_MS, this.options.debounceMs),
      );
    if (this.debounce !== undefined) this.scheduler.clearTimeout(this.debounce);
    this.debounce = this.scheduler.setTimeout(() => {
      this.debounce = undefined;
      if (this.pendingTriggers.has("files")) this.request();
    }, this.options.debounceMs);
  }

  /** A trigger that needs no debounce (start, interval, git): a cycle now, or one rerun queued. */
  trigger(trigger: Trigger): void {
    if (this.current.type === "stopped") return;
    this.pendingTriggers.add(trigger);
    this.request();
  }

  /** Fires `trigger` after `ms`, replacing a timer already set for it (the next interval). */
  schedule(trigger: Trigger, ms: number): void {
    if (this.current.type === "stopped") return;
    const existing = this.timers.get(trigger);
    if (existing !== undefined) this.scheduler.clearTimeout(existing);
    this.timers.set(
      trigger,
      this.scheduler.setTimeout(() => {
        this.timers.delete(trigger);
        this.trigger(trigger);
      }, ms),
    );
  }

  /** Stops: no cycle starts any more, the running one is aborted and awaited. Idempotent. */
  async stop(): Promise<void> {
    if (this.current.type !== "stopped") {
      this.current = { type: "stopped" };
      if (this.debounce !== undefined) this.scheduler.clearTimeout(this.debounce);
      if (this.leading !== undefined) this.scheduler.clearTimeout(this.leading);
      for (const timer of this.timers.values()) this.scheduler.clearTimeout(timer);
      this.timers.clear();
      this.controller?.abort();
      if (this.running === undefined) this.resolveDone();
    }
    await this.done;
  }

  private request(): void {
    if (this.current.type === "idle") this.start();
    else if (this.current.type === "running") this.current = { type: "running", rerunQueued: true };
  }

  private start(): void {
    const request: CycleRequest<F> = {
      triggers: new Set(this.pendingTriggers),
      files: this.pendingFiles,
      signal: (this.controller = new AbortController()).signal,
    };
    this.pendingTriggers.clear();
    this.pendingFiles = [];
    this.current = { type: "running", rerunQueued: false };
    this.running = this.options
      .run(request)
      .catch((error: unknown) => this.options.onError?.(error))
      .finally(() => this.finished());
  }

  private finished(): void {
    this.running = undefined;
    this.controller = undefined;
    const state = this.current;
    if (state.type === "stopped") return this.resolveDone();
    this.current = { type: "idle" };
    if (state.type === "running" && state.rerunQueued) this.start();
  }
}

/**
 * The wait before the next re-observation, measured from the end of a cycle: the interval plus up
 * to 10 % jitter (many watchers do not poll in step), doubled after each consecutive failure up to
 * 8x (a struggling or rate-limiting API is given room), and never shorter than a Retry-After.
 */
export function nextIntervalMs(
  intervalMs: number,
  state: { consecutiveErrors: number; retryAfterMs?: number | undefined },
  random: () => number = Math.random,
): number {
  const backoff = 2 ** Math.min(state.consecutiveErrors, 3);
  const base = intervalMs * backoff;
  return Math.max(Math.round(base + base * 0.1 * random()), state.retryAfterMs ?? 0);
}
