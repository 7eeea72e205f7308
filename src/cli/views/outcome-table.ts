import { z } from "zod";
import type { TaskResult } from "../../reconcile/executor.js";

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

/** Fixed-width outcome table for the end of `apply`. */
export function formatOutcomeTable(rows: readonly ResourceSummary[]): string {
  if (rows.length === 0) return "No resources.\n";
  const keyWidth = Math.max("RESOURCE".length, ...rows.map((r) => r.key.length));
  const outWidth = "unchanged".length;
  const line = (a: string, b: string, c: string): string =>
    `${a.padEnd(keyWidth)}  ${b.padEnd(outWidth)}  ${c}`.trimEnd();
  const out = [line("RESOURCE", "OUTCOME", "DETAIL")];
  for (const r of rows) out.push(line(r.key, r.outcome, r.detail));
  const counts = ResourceOutcome.options
    .map((o) => `${rows.filter((r) => r.outcome === o).length} ${o}`)
    .join(", ");
  out.push("", `Resources: ${counts}.`);
  return `${out.join("\n")}\n`;
}
