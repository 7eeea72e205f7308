import { z } from "zod";
import type { TaskResult } from "../../reconcile/executor.js";
import { formatDuration } from "./duration.js";

export const ResourceOutcome = z.enum(["succeeded", "failed", "skipped", "unchanged"]);
export type ResourceOutcome = z.infer<typeof ResourceOutcome>;

export const ResourceSummary = z.object({
  key: z.string(),
  outcome: ResourceOutcome,
  /** What happened, one clause per action: `createVersion`, `runTest failed: ...`. */
  detail: z.string(),
  /** Summed wall time of the resource's actions that ran. */
  durationMs: z.number(),
});
export type ResourceSummary = z.infer<typeof ResourceSummary>;

export interface RunTotals {
  succeeded: number;
  failed: number;
  /** Test gates that did not pass (exit 7). */
  gateFailed: number;
  skipped: number;
  /** Skipped because their object moved since the plan (exit 5); also counted in `skipped`. */
  stale: number;
  /** Skipped because the run was interrupted. */
  aborted: number;
}

export function totals(results: readonly TaskResult[]): RunTotals {
  const t: RunTotals = { succeeded: 0, failed: 0, gateFailed: 0, skipped: 0, stale: 0, aborted: 0 };
  for (const r of results) {
    if (r.outcome === "gate-failed") t.gateFailed += 1;
    else t[r.outcome] += 1;
    if (r.reason === "stale") t.stale += 1;
    if (r.reason === "aborted") t.aborted += 1;
  }
  return t;
}

/** How an action's outcome reads to a person: a gate that did not pass is a failure. */
function outcomeWord(r: TaskResult): string {
  return r.outcome === "gate-failed" ? "failed" : r.reason === "stale" ? "stale" : r.outcome;
}

/**
 * One row per resource: failed if any of its actions failed (or did not pass a gate), skipped if any
 * was skipped, succeeded otherwise; resources without actions are unchanged.
 */
export function summariseByResource(
  results: readonly TaskResult[],
  allKeys: readonly string[],
): ResourceSummary[] {
  const byKey = new Map<string, TaskResult[]>();
  for (const r of results) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r]);
  const keys = [...new Set([...allKeys, ...byKey.keys()])].sort();
  return keys.map((key) => {
    const rs = byKey.get(key) ?? [];
    const durationMs = rs.reduce((sum, r) => sum + (r.durationMs ?? 0), 0);
    if (rs.length === 0) return { key, outcome: "unchanged", detail: "", durationMs };
    const outcome: ResourceOutcome = rs.some((r) => r.outcome === "failed" || r.outcome === "gate-failed")
      ? "failed"
      : rs.some((r) => r.outcome !== "succeeded")
        ? "skipped"
        : "succeeded";
    // Successes by name only; failures and skips with their reason, which is what the reader needs.
    const detail = rs
      .map((r) =>
        r.outcome === "succeeded"
          ? r.type
          : `${r.type} ${outcomeWord(r)}${r.message ? `: ${r.message.split("\n")[0] ?? ""}` : ""}`,
      )
      .join("; ");
    return { key, outcome, detail, durationMs };
  });
}

/** A resource's time in the table: blank when none of its actions ran. */
function durationCell(r: ResourceSummary): string {
  if (r.outcome === "unchanged" || (r.outcome === "skipped" && r.durationMs === 0)) return "";
  return formatDuration(r.durationMs);
}

/**
 * Fixed-width outcome table for the end of `apply`: per resource its outcome, the summed time of
 * its actions and what happened; the last line counts outcomes and gives the run's wall time.
 */
export function formatOutcomeTable(rows: readonly ResourceSummary[], run: { totalMs?: number } = {}): string {
  const total = run.totalMs === undefined ? "" : `; total time ${formatDuration(run.totalMs)}`;
  if (rows.length === 0) return `No resources${total}.\n`;
  const keyWidth = Math.max("RESOURCE".length, ...rows.map((r) => r.key.length));
  const outWidth = "unchanged".length;
  const durations = rows.map(durationCell);
  const timeWidth = Math.max("DURATION".length, ...durations.map((d) => d.length));
  const line = (a: string, b: string, c: string, d: string): string =>
    `${a.padEnd(keyWidth)}  ${b.padEnd(outWidth)}  ${c.padEnd(timeWidth)}  ${d}`.trimEnd();
  const out = [line("RESOURCE", "OUTCOME", "DURATION", "DETAIL")];
  for (const [i, r] of rows.entries()) out.push(line(r.key, r.outcome, durations[i] ?? "", r.detail));
  const counts = ResourceOutcome.options
    .map((o) => `${rows.filter((r) => r.outcome === o).length} ${o}`)
    .join(", ");
  out.push("", `Resources: ${counts}${total}.`);
  return `${out.join("\n")}\n`;
}
