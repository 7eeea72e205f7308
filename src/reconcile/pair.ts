import { compareCodePoints } from "../spec/digest.js";

/**
 * Pairing by identity, before any diffing (gitops-engine's split): a pair with no live side is a
 * create, one with no desired side a prune candidate. Sorted by key so plans are deterministic.
 */
export interface Pair<D, L> {
  /** The desired object's key; for a live object alone, its identity. */
  key: string;
  desired: D | undefined;
  live: L | undefined;
  /** Further live objects claiming the same identity (possible for trailer-identified kinds). */
  duplicates: L[];
}

/**
 * Pairs desired and live objects by identity. A live object may answer to several identities (a
 * dataset to its name and its id) and is then paired under the first that a desired object claims;
 * one with none is not drgitops' to manage: invisible to pairing, hence to prune.
 */
export function pairByIdentity<D extends { key: string }, L>(
  desired: readonly D[],
  live: readonly L[],
  identity: (d: D) => string,
  identities: (l: L) => readonly string[],
): Pair<D, L>[] {
  const pairs = new Map<string, Pair<D, L>>();
  for (const d of desired)
    pairs.set(identity(d), { key: d.key, desired: d, live: undefined, duplicates: [] });
  for (const l of live) {
    const ids = identities(l);
    if (ids.length === 0) continue;
    const id = ids.find((i) => pairs.has(i)) ?? ids[0]!;
    let pair = pairs.get(id);
    if (!pair) {
      pair = { key: id, desired: undefined, live: undefined, duplicates: [] };
      pairs.set(id, pair);
    }
    if (pair.live === undefined) pair.live = l;
    else pair.duplicates.push(l);
  }
  return [...pairs.values()].sort((a, b) => compareCodePoints(a.key, b.key));
}
