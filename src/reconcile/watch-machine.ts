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

export const realScheduler: Scheduler = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface MachineOptions<F> {
  /** Quiet time after the last file event before a cycle starts (a burst of saves is one cycle). */
  debounceMs: number;
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

  /** A file event: cycles start only after `debounceMs` without another one. */
  fileEvent(event: F): void {
    if (this.current.type === "stopped") return;
    this.pendingFiles.push(event);
    this.pendingTriggers.add("files");
    if (this.debounce !== undefined) this.scheduler.clearTimeout(this.debounce);
    this.debounce = this.scheduler.setTimeout(() => {
      this.debounce = undefined;
      this.request();
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
    // File events still being debounced are not settled: they wait for the cycle after this one.
    const settled = this.debounce === undefined;
    const triggers = new Set(this.pendingTriggers);
    if (!settled) triggers.delete("files");
    const request: CycleRequest<F> = {
      triggers,
      files: settled ? this.pendingFiles : [],
      signal: (this.controller = new AbortController()).signal,
    };
    this.pendingTriggers.clear();
    if (settled) this.pendingFiles = [];
    else this.pendingTriggers.add("files");
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
