/**
 * Pairing by identity, before any diffing (gitops-engine's split): a pair with no live side is a
 * create, one with no desired side a prune candidate. Sorted by key so plans are deterministic.
 */
export interface Pair<D, L> {
  key: string;
  desired: D | undefined;
  live: L | undefined;
  /** Further live objects claiming the same key (possible for trailer-identified kinds). */
  duplicates: L[];
}

export function pairByKey<D, L>(
  desired: readonly D[],
  live: readonly L[],
  desiredKey: (d: D) => string,
  liveKey: (l: L) => string | null,
): Pair<D, L>[] {
  const pairs = new Map<string, Pair<D, L>>();
  const entry = (key: string): Pair<D, L> => {
    let pair = pairs.get(key);
    if (!pair) {
      pair = { key, desired: undefined, live: undefined, duplicates: [] };
      pairs.set(key, pair);
    }
    return pair;
  };
  for (const d of desired) entry(desiredKey(d)).desired = d;
  for (const l of live) {
    const key = liveKey(l);
    // A null key is an object drgitops does not manage: invisible to pairing, hence to prune.
    if (key === null) continue;
    const pair = entry(key);
    if (pair.live === undefined) pair.live = l;
    else pair.duplicates.push(l);
  }
  return [...pairs.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
