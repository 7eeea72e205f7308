import type { Writable } from "node:stream";
import type { ApplyEvent } from "../../reconcile/events.js";
import type { ResourceSummary, RunTotals } from "./outcome-table.js";
import type { ProgressView } from "./apply-progress.js";

/** `apply --format json`: one JSON object per line for each event, for CI machines. */
export function createJsonLinesView(stream: Writable): ProgressView {
  return {
    onEvent: (event: ApplyEvent) => stream.write(`${JSON.stringify(event)}\n`),
    close: () => undefined,
  };
}

/** The last line of `apply --format json`: the outcome table as one object. */
export function outcomeJson(
  resources: readonly ResourceSummary[],
  totals: RunTotals,
  extra: { exitCode: number; gate: readonly { key: string; message: string }[]; durationMs?: number },
): string {
  const { exitCode, gate, durationMs } = extra;
  const timed = durationMs === undefined ? {} : { durationMs };
  return `${JSON.stringify({ type: "outcome", exitCode, ...timed, totals, resources, gate })}\n`;
}
