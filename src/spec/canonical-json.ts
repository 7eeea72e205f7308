/**
 * JSON with object keys sorted at every level, no whitespace and `undefined` members dropped, so that
 * equal data always gives equal text (and equal digests) whatever order it was built in.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : sortKeys(v)));
  if (typeof value === "number" && !Number.isFinite(value)) {
    throw new TypeError(`canonicalJson: ${value} has no JSON form`);
  }
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const member = (value as Record<string, unknown>)[key];
    if (member !== undefined) out[key] = sortKeys(member);
  }
  return out;
}
