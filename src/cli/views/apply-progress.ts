import type { Writable } from "node:stream";
import type { ApplyEvent } from "../../reconcile/events.js";

/** One line per event, for logs and CI: stable, greppable, no escape codes. */
export function formatEventLine(event: ApplyEvent): string {
  const head = `${event.action} ${event.key}`;
  switch (event.type) {
    case "action-started":
      return `start    ${head}`;
    case "action-progress":
      return `progress ${head}: ${event.message}`;
    case "action-succeeded":
      return `done     ${head}${event.message ? `: ${event.message}` : ""}`;
    case "action-failed":
      return `FAILED   ${head}: ${event.error}`;
    case "action-skipped":
      return `skipped  ${head} (${event.reason}): ${event.detail}`;
  }
}

export interface ProgressView {
  onEvent: (event: ApplyEvent) => void;
  /** Clears the live area; call before printing the outcome table. */
  close: () => void;
}

/**
 * On a TTY: finished actions scroll up as lines, running ones stay in a live area at the bottom
 * with their latest progress message. Elsewhere: one line per event.
 */
export function createProgressView(stream: Writable & { isTTY?: boolean }): ProgressView {
  if (!stream.isTTY) {
    return { onEvent: (e) => stream.write(`${formatEventLine(e)}\n`), close: () => undefined };
  }
  const running = new Map<string, string>();
  let drawn = 0;
  const clear = (): void => {
    if (drawn > 0) stream.write(`\x1b[${drawn}F\x1b[0J`);
    drawn = 0;
  };
  const draw = (): void => {
    const lines = [...running.values()];
    for (const l of lines) stream.write(`\x1b[2m… ${l}\x1b[0m\n`);
    drawn = lines.length;
  };
  return {
    onEvent: (e) => {
      clear();
      const label = `${e.action} ${e.key}`;
      if (e.type === "action-started") running.set(e.id, label);
      else if (e.type === "action-progress") running.set(e.id, `${label}: ${e.message}`);
      else {
        running.delete(e.id);
        stream.write(`${formatEventLine(e)}\n`);
      }
      draw();
    },
    close: clear,
  };
}
