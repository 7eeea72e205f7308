import type { ApplyEvent } from "../../reconcile/events.js";
import { formatDuration } from "./duration.js";
import { createLiveView, liveViewSupported, type LiveClock, type TerminalStream } from "./live-progress.js";

/**
 * One line per event, for logs and CI: stable, greppable, no escape codes. The prefixes (`start`,
 * `progress`, `done`, `FAILED`, `skipped`) are a contract; a finished action ends with its duration.
 */
export function formatEventLine(event: ApplyEvent): string {
  const head = `${event.action} ${event.key}`;
  switch (event.type) {
    case "action-started":
      return `start    ${head}`;
    case "action-progress":
      return `progress ${head}: ${event.message}`;
    case "action-succeeded":
      return `done     ${head}${event.message ? `: ${event.message}` : ""} [${formatDuration(event.durationMs)}]`;
    case "action-failed":
      return `FAILED   ${head}: ${event.error} [${formatDuration(event.durationMs)}]`;
    case "action-skipped":
      return `skipped  ${head} (${event.reason}): ${event.detail}`;
  }
}

export interface ProgressView {
  onEvent: (event: ApplyEvent) => void;
  /** Clears the live area (and stops its clock); call before printing the outcome table. */
  close: () => void;
}

export interface ProgressViewOptions {
  /** Decides NO_COLOR / TERM=dumb; without it only the stream decides. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Actions in the plan, for the live area's `12/31 actions`. */
  total?: number;
  clock?: LiveClock;
}

/**
 * On a terminal that can take it (see liveViewSupported): a live area redrawn in place. Anywhere
 * else (a pipe, CI, `TERM=dumb`, `NO_COLOR`, a terminal under 40 columns): one line per event.
 */
export function createProgressView(stream: TerminalStream, options: ProgressViewOptions = {}): ProgressView {
  if (!liveViewSupported(stream, options.env ?? {})) {
    return { onEvent: (e) => stream.write(`${formatEventLine(e)}\n`), close: () => undefined };
  }
  return createLiveView(stream, formatEventLine, {
    ...(options.total !== undefined ? { total: options.total } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
}
