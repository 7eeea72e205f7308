import type { Writable } from "node:stream";
import type { WatchStatus } from "../../reconcile/watch.js";
import type { Issue } from "../../spec/issue.js";
import { formatEventLine } from "./apply-progress.js";
import { createStyle } from "./style.js";
import { describeEvent } from "./watch-events.js";
import type { WatchView } from "./watch-json.js";

/** HH:MM:SS in local time: a watch runs for hours, the date is rarely what a reader needs. */
function clock(iso: string | undefined): string {
  if (iso === undefined) return "-";
  const d = new Date(iso);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, "0")).join(":");
}

/** "last check 12:00:01 · next 12:01:04 · in sync" (or "N changes", "N drifted", "invalid manifests"). */
export function statusLine(status: WatchStatus): string {
  const state = status.invalid
    ? "invalid manifests"
    : status.changes === 0 && status.drifted === 0
      ? "in sync"
      : [
          status.changes > 0 ? `${status.changes} change${status.changes === 1 ? "" : "s"}` : "",
          status.drifted > 0 ? `${status.drifted} drifted` : "",
        ]
          .filter((s) => s !== "")
          .join(", ");
  return `last check ${clock(status.lastCheckAt)} · next ${clock(status.nextCheckAt)} · ${state}`;
}

/**
 * `watch --format human`: one line per event, prefixed by its time; validation issues below their
 * plan line, as `validate` prints them. On a terminal a status line stays at the bottom.
 */
export function createWatchHumanView(
  stream: Writable & { isTTY?: boolean },
  options: { color: boolean; formatIssue: (issue: Issue) => string },
): WatchView {
  const style = createStyle(options.color);
  const tty = stream.isTTY === true;
  let status: string | undefined;
  const write = (lines: string[]): void => {
    // The status line is redrawn under whatever was printed.
    if (tty && status !== undefined) stream.write("\r\u001b[2K");
    for (const l of lines) stream.write(`${l}\n`);
    if (tty && status !== undefined) stream.write(style.dim(status));
  };
  return {
    onEvent: (event) => {
      const line = `${style.dim(clock(event.at))} ${describeEvent(event)}`;
      const issues =
        event.type === "plan" ? (event.issues ?? []).map((i) => `  ${options.formatIssue(i)}`) : [];
      write([line, ...issues]);
    },
    onApplyEvent: (event) => {
      if (event.type !== "action-progress") write([`  ${formatEventLine(event)}`]);
    },
    onStatus: (s) => {
      if (!tty) return;
      status = statusLine(s);
      write([]);
    },
    close: () => {
      if (tty && status !== undefined) stream.write("\r\u001b[2K");
      status = undefined;
    },
  };
}
