import type { DriftItem } from "./action.js";

/**
 * Drift is reported once per resource when it appears and once when it goes away (Flux's event
 * deduplication), however many cycles see it in between.
 */
export class DriftTracker {
  private readonly drifted = new Map<string, string[]>();

  /** The keys drifted now, sorted. */
  get keys(): string[] {
    return [...this.drifted.keys()].sort();
  }

  /** Compares a plan's drift with what was drifted before. */
  update(drift: readonly DriftItem[]): {
    appeared: { key: string; reasons: string[] }[];
    resolved: string[];
  } {
    const now = new Map<string, string[]>();
    for (const item of drift) now.set(item.key, [...(now.get(item.key) ?? []), item.summary]);
    const appeared = [...now]
      .filter(([key]) => !this.drifted.has(key))
      .map(([key, reasons]) => ({ key, reasons }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const resolved = this.keys.filter((key) => !now.has(key));
    this.drifted.clear();
    for (const [key, reasons] of now) this.drifted.set(key, reasons);
    return { appeared, resolved };
  }
}
