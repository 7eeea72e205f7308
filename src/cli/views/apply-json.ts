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
  extra: { exitCode: number; gate: readonly { key: string; message: string }[] },
): string {
  return `${JSON.stringify({ type: "outcome", exitCode: extra.exitCode, totals, resources, gate: extra.gate })}\n`;
}
