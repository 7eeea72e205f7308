import { z } from "zod";
import type { FieldPath } from "./issue.js";

/** The valid part of a document that failed its schema, and which fields were dropped to get it. */
export interface Salvaged<T> {
  data: T;
  /** Fields that were given but invalid (or required but missing): rules must not judge them. */
  invalid: FieldPath[];
}

/**
 * Drops every field that failed the strict schema (at the nearest level `partial` lets go of) and
 * parses the rest with `partial`. Unknown keys are dropped silently; the fields they were probably
 * meant to be (`hinted`) count as invalid. Undefined when an error sits where nothing can be dropped.
 */
export function salvage<S extends z.ZodType>(
  partial: S,
  input: unknown,
  error: z.ZodError,
  hinted: readonly FieldPath[],
): Salvaged<z.output<S>> | undefined {
  const invalid: FieldPath[] = [...hinted];
  const drops: FieldPath[] = [];
  for (const issue of error.issues) {
    const path = issue.path as FieldPath;
    if (issue.code === "unrecognized_keys") {
      drops.push(...issue.keys.map((key) => [...path, key]));
      continue;
    }
    const droppable = droppablePrefix(partial, path);
    if (droppable === undefined) return undefined;
    drops.push(droppable);
    invalid.push(droppable);
  }
  const pruned = structuredClone(input);
  for (const path of drops) remove(pruned, path);
  const result = partial.safeParse(pruned);
  return result.success ? { data: result.data, invalid } : undefined;
}

/** True when `path`, a field around it or one inside it is in `invalid`. */
export function touchesInvalid(invalid: readonly FieldPath[], path: FieldPath): boolean {
  return invalid.some((p) => p.every((segment, i) => i >= path.length || path[i] === segment));
}

/**
 * The longest prefix of `path` naming an optional field or a record entry: removing it removes the
 * error. Lists are kept whole (dropping an item changes what the list means); unions and transforms
 * are opaque, so an error inside one drops the whole value.
 */
function droppablePrefix(schema: z.ZodType, path: FieldPath): FieldPath | undefined {
  let found: FieldPath | undefined;
  let current: z.ZodType = schema;
  for (const [i, segment] of path.entries()) {
    while (current instanceof z.ZodOptional || current instanceof z.ZodNullable) {
      current = current.unwrap() as z.ZodType;
    }
    let child: z.ZodType | undefined;
    if (current instanceof z.ZodObject) {
      child = (current.shape as Record<string, z.ZodType | undefined>)[String(segment)];
      if (child?.safeParse(undefined).success) found = path.slice(0, i + 1);
    } else if (current instanceof z.ZodRecord) {
      child = current.valueType as z.ZodType;
      found = path.slice(0, i + 1);
    }
    if (child === undefined) break;
    current = child;
  }
  return found;
}

function remove(data: unknown, path: FieldPath): void {
  let parent = data;
  for (const segment of path.slice(0, -1)) {
    if (typeof parent !== "object" || parent === null) return;
    parent = (parent as Record<string | number, unknown>)[segment];
  }
  const last = path.at(-1);
  if (typeof parent === "object" && parent !== null && last !== undefined) {
    delete (parent as Record<string | number, unknown>)[last];
  }
}
