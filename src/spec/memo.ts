/**
 * `compute`, remembered per argument object (a WeakMap: an argument nobody holds any more takes its
 * value with it). For pure functions of objects that are never mutated once made, such as the file
 * lists a load gathers: `watch` keeps an unchanged document's objects from one cycle to the next,
 * so what was derived from them is not derived again on every save.
 */
export function memoByIdentity<K extends object, V>(compute: (key: K) => V): (key: K) => V {
  const cache = new WeakMap<K, V>();
  return (key) => {
    if (cache.has(key)) return cache.get(key)!;
    const value = compute(key);
    cache.set(key, value);
    return value;
  };
}
