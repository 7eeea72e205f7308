import type { Writable } from "node:stream";
import type { ApplyEvent } from "../../reconcile/events.js";
import { formatDuration } from "./duration.js";
import { actionText } from "./format.js";

/** The live area's notion of time: injectable so the view is tested with a fake clock. */
export interface LiveClock {
  now: () => number;
  /** Calls `tick` about every `ms`; returns what stops it. */
  every: (ms: number, tick: () => void) => () => void;
}

export const systemClock: LiveClock = {
  now: Date.now,
  every: (ms, tick) => {
    const timer = setInterval(tick, ms);
    // A forgotten timer must never keep the process alive; close() stops it anyway.
    timer.unref();
    return () => clearInterval(timer);
  },
};

export interface LiveViewOptions {
  /** Actions in the plan, for the `12/31 actions` of the overall line. */
  total?: number;
  clock?: LiveClock;
  /** How often the clocks are redrawn without an event (default 1 s). */
  tickMs?: number;
}

/** Below this many columns the live area would wrap and break the redraw: plain lines instead. */
export const MIN_LIVE_COLUMNS = 40;

/** The terminal it draws on: a TTY stream knows its width (and may be resized while drawing). */
export type TerminalStream = Writable & { isTTY?: boolean; columns?: number };

/**
 * Whether apply's live area may be drawn: a terminal at least MIN_LIVE_COLUMNS wide that is not
 * `TERM=dumb`, with `NO_COLOR` unset (no-color.org users often want no escape codes at all).
 */
export function liveViewSupported(
  stream: { isTTY?: boolean; columns?: number },
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  if (stream.isTTY !== true) return false;
  if (env["NO_COLOR"] !== undefined && env["NO_COLOR"] !== "") return false;
  if (env["TERM"] === "dumb") return false;
  return (stream.columns ?? 0) >= MIN_LIVE_COLUMNS;
}

const QUEUED = /^(initialized|submitted|queued|pending)$/i;
const RUNNING = /^(running|processing|in_progress|started)$/i;

/**
 * What a running action is doing, in plain words: its kind's `doing` phrase ("building
 * dependencies"), `(queued)` while the server has not started it, and any other progress message
 * as it is ("creating a version: uploading 3 files, deleting 0").
 */
export function runningWords(type: string, message: string | undefined): string {
  const doing = actionText(type).doing ?? type;
  if (message === undefined || message === "") return doing;
  const state = /^\w+ (\w+)$/.exec(message)?.[1];
  if (state !== undefined && QUEUED.test(state)) return `${doing} (queued)`;
  if (state !== undefined && RUNNING.test(state)) return doing;
  return `${doing}: ${message}`;
}

/** Cuts a line to the terminal's width, so no line of the live area ever wraps. */
function fit(line: string, width: number): string {
  const max = Math.max(1, width - 1);
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

const HIDE_CURSOR = "\x1b[?25l";
const SHOW_CURSOR = "\x1b[?25h";
const DIM = (text: string): string => `\x1b[2m${text}\x1b[22m`;

interface Running {
  key: string;
  type: string;
  startedAt: number;
  message: string | undefined;
}

export interface LiveView {
  onEvent: (event: ApplyEvent) => void;
  /** Stops the clock, clears the live area and shows the cursor again; safe to call twice. */
  close: () => void;
}

/**
 * The live area of apply on a terminal: finished actions scroll up as the usual `done` / `FAILED` /
 * `skipped` lines; below them one line per running action (elapsed time, key, what it is doing)
 * and an overall line (`12/31 actions, 2 failed, 4m05s`). Each frame is one write: cursor up over
 * the previous area, clear to the end of the screen, the new lines. Events and a 1 s tick redraw it.
 */
export function createLiveView(
  stream: TerminalStream,
  formatLine: (event: ApplyEvent) => string,
  options: LiveViewOptions = {},
): LiveView {
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  const running = new Map<string, Running>();
  const seen = new Set<string>();
  let finished = 0;
  let failed = 0;
  let skipped = 0;
  let drawn = 0;
  let cursorHidden = false;
  let stopTimer: (() => void) | undefined;
  let closed = false;

  const frame = (): string[] => {
    const width = stream.columns ?? 80;
    const now = clock.now();
    const lines: string[] = [];
    for (const r of running.values()) {
      const elapsed = formatDuration(now - r.startedAt).padStart(6);
      const text = fit(`${elapsed}  ${r.key}: ${runningWords(r.type, r.message)}`, width);
      lines.push(`${DIM(text.slice(0, 6))}${text.slice(6)}`);
    }
    const total = Math.max(options.total ?? 0, seen.size);
    const extra = skipped > 0 ? `, ${skipped} skipped` : "";
    lines.push(
      fit(`${finished}/${total} actions, ${failed} failed${extra}, ${formatDuration(now - started)}`, width),
    );
    return lines;
  };

  const draw = (scrolled: readonly string[]): void => {
    if (closed) return;
    let out = cursorHidden ? "" : HIDE_CURSOR;
    cursorHidden = true;
    if (drawn > 0) out += `\x1b[${drawn}F\x1b[0J`;
    for (const line of scrolled) out += `${line}\n`;
    const lines = frame();
    out += lines.map((l) => `${l}\n`).join("");
    drawn = lines.length;
    stream.write(out);
  };

  return {
    onEvent: (e) => {
      if (closed) return;
      seen.add(e.id);
      const scrolled: string[] = [];
      switch (e.type) {
        case "action-started":
          // The view's own clock, not the event's `at`: elapsed times never mix two clocks.
          running.set(e.id, { key: e.key, type: e.action, startedAt: clock.now(), message: undefined });
          break;
        case "action-progress": {
          const r = running.get(e.id);
          if (r) r.message = e.message;
          break;
        }
        case "action-succeeded":
        case "action-failed":
        case "action-skipped":
          running.delete(e.id);
          finished += 1;
          if (e.type === "action-failed") failed += 1;
          if (e.type === "action-skipped") skipped += 1;
          scrolled.push(formatLine(e));
          break;
      }
      stopTimer ??= clock.every(options.tickMs ?? 1000, () => draw([]));
      draw(scrolled);
    },
    close: () => {
      if (closed) return;
      closed = true;
      stopTimer?.();
      stopTimer = undefined;
      let out = drawn > 0 ? `\x1b[${drawn}F\x1b[0J` : "";
      if (cursorHidden) out += SHOW_CURSOR;
      drawn = 0;
      if (out !== "") stream.write(out);
    },
  };
}
