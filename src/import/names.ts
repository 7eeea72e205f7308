/** metadata.names for imported things: valid (DESIGN.md §3), and unique among those already taken. */

/** A valid metadata.name close to `text`, for a model whose own name or id cannot be one. */
export function sanitizedName(text: string, fallback = "model"): string {
  const name = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-+/, "")
    .slice(0, 63)
    .replace(/-+$/, "");
  return name === "" ? fallback : name;
}

/** `name`, or `name-2`, `name-3`... (still at most 63 characters): the first not in `used`, then taken. */
export function uniqueName(name: string, used: Set<string>): string {
  let unique = name;
  for (let n = 2; used.has(unique); n++) unique = `${name.slice(0, 63 - String(n).length - 1)}-${n}`;
  used.add(unique);
  return unique;
}
