import { z } from "zod";
import type { TaskResult } from "./executor.js";

export const ResourceOutcome = z.enum(["succeeded", "failed", "skipped", "unchanged"]);
export type ResourceOutcome = z.infer<typeof ResourceOutcome>;

export const ResourceSummary = z.object({
  key: z.string(),
  outcome: ResourceOutcome,
  /** What happened, one clause per action: `createVersion ok`, `runTest failed: ...`. */
  detail: z.string(),
});
export type ResourceSummary = z.infer<typeof ResourceSummary>;

export interface RunTotals {
  succeeded: number;
  failed: number;
  skipped: number;
  stale: number;
}

/** Counts of action outcomes; stale actions are also skipped, counted apart for exit code 5. */
export function totals(results: readonly TaskResult[]): RunTotals {
  const t: RunTotals = { succeeded: 0, failed: 0, skipped: 0, stale: 0 };
  for (const r of results) t[r.outcome] += 1;
  return t;
}

/**
 * One row per resource: failed if any of its actions failed, skipped if any was skipped or stale,
 * succeeded otherwise; resources without actions are unchanged.
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
    if (rs.length === 0) return { key, outcome: "unchanged", detail: "" };
    const outcome: ResourceOutcome = rs.some((r) => r.outcome === "failed")
      ? "failed"
      : rs.some((r) => r.outcome !== "succeeded")
        ? "skipped"
        : "succeeded";
    // Successes by name only; failures and skips with their reason, which is what the reader needs.
    const detail = rs
      .map((r) =>
        r.outcome === "succeeded"
          ? r.type
          : `${r.type} ${r.outcome}${r.message ? `: ${r.message.split("\n")[0] ?? ""}` : ""}`,
      )
      .join("; ");
    return { key, outcome, detail };
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
