import { z } from "zod";
import type { core } from "zod";
import { didYouMean, hint } from "./did-you-mean.js";
import type { FieldPath, PendingIssue } from "./issue.js";

type ZodIssue = core.$ZodIssue;

/** zod's type names, as a YAML author would say them. */
const EXPECTED: Record<string, string> = {
  object: "a mapping",
  record: "a mapping",
  array: "a list",
  string: "a string",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
};

/** Turns zod's issues into ours: stable codes, one issue per unknown key, plain-language messages. */
export function fromZodError(error: z.ZodError, schema: z.ZodType, input: unknown): PendingIssue[] {
  return explainZodError(error, schema, input).issues;
}

/**
 * fromZodError, plus the fields that unknown keys were probably meant to be (`reff:` → `ref`): those
 * count as given-but-invalid, so nothing reports them as missing.
 */
export function explainZodError(
  error: z.ZodError,
  schema: z.ZodType,
  input: unknown,
): { issues: PendingIssue[]; hinted: FieldPath[] } {
  const out: Converted[] = [];
  for (const issue of error.issues) convert(issue, [], schema, input, out);
  // `reff:` instead of `ref:` is one mistake: the hint on the unknown key says it all.
  const hinted = out.flatMap((i) => (i.code === "unknown-field" && i.hinted ? [i.hinted] : []));
  const hintedKeys = new Set(hinted.map((p) => p.join("\0")));
  const issues = out
    .filter((i) => !(i.code === "missing-field" && hintedKeys.has(i.path.join("\0"))))
    .map(({ hinted: _, ...rest }) => rest);
  return { issues, hinted };
}

type Converted = PendingIssue & { hinted?: FieldPath };

function convert(
  issue: ZodIssue,
  prefix: FieldPath,
  schema: z.ZodType,
  input: unknown,
  out: Converted[],
): void {
  const path: FieldPath = [...prefix, ...(issue.path as FieldPath)];
  const value = valueAt(input, path);
  switch (issue.code) {
    case "invalid_type":
      if (value === undefined) {
        out.push({ code: "missing-field", path, message: `missing required field "${String(path.at(-1))}"` });
      } else if (typeof value === "number" && !Number.isFinite(value)) {
        // YAML reads 1e400, .inf and .nan as numbers JSON cannot carry: say so rather than "got number null".
        out.push({ code: "not-finite-number", path, message: notFinite(value, issue.expected) });
      } else {
        out.push({
          code: "invalid-type",
          path,
          message: `expected ${EXPECTED[issue.expected] ?? issue.expected}, got ${describe(value)}`,
        });
      }
      return;
    case "unrecognized_keys": {
      const known = knownKeysAt(schema, path);
      const present = valueAt(input, path);
      for (const key of issue.keys) {
        if (known.includes(key)) {
          // Known here but not with its siblings: two alternative forms of a union were mixed.
          const others = Object.keys(isObject(present) ? present : {}).filter(
            (k) => k !== key && known.includes(k),
          );
          out.push({
            code: "conflicting-fields",
            path: [...path, key],
            atKey: true,
            message: `"${key}" cannot be combined with ${others.map((o) => `"${o}"`).join(", ") || "the other fields"} here: they are alternative forms, give one`,
          });
          continue;
        }
        const suggestion = didYouMean(key, known);
        const help =
          suggestion !== undefined
            ? ` (did you mean "${suggestion}"?)`
            : known.length > 0
              ? `; allowed here: ${known.join(", ")}`
              : "";
        out.push({
          code: "unknown-field",
          path: [...path, key],
          atKey: true,
          message: `unknown field "${key}"${help}`,
          ...(suggestion !== undefined ? { hinted: [...path, suggestion] } : {}),
        });
      }
      return;
    }
    case "invalid_value": {
      const allowed = issue.values.map((v) => JSON.stringify(v));
      const typo = typeof value === "string" ? hint(value, issue.values.map(String)) : "";
      out.push({
        code: "invalid-value",
        path,
        message:
          allowed.length === 1
            ? `must be ${allowed[0]}, got ${describe(value)}`
            : `must be one of ${allowed.join(", ")}; got ${describe(value)}${typo}`,
      });
      return;
    }
    case "too_small":
    case "too_big":
      out.push({ code: "out-of-range", path, message: rangeMessage(issue, value) });
      return;
    case "invalid_format":
      out.push({ code: "invalid-format", path, message: `${describe(value)} ${issue.message}` });
      return;
    case "invalid_union":
      convertUnion(issue, path, schema, input, out);
      return;
    case "invalid_key": {
      const why = issue.issues[0]?.message;
      out.push({
        code: "invalid-key",
        path,
        atKey: true,
        message: `"${String(path.at(-1))}" is not a valid key here${why ? `: it ${why}` : ""}`,
      });
      return;
    }
    case "custom": {
      const params = issue.params as { code?: unknown } | undefined;
      const code = typeof params?.code === "string" ? params.code : "invalid-value";
      out.push({ code, path, message: issue.message });
      return;
    }
    default:
      out.push({ code: "invalid-value", path, message: issue.message });
  }
}

/**
 * For a union, report the branch the author most likely meant: one whose shape matched the value's
 * type, with the fewest problems. When no branch even matched the type, the union's own message says
 * which forms are accepted.
 */
function convertUnion(
  issue: Extract<ZodIssue, { code: "invalid_union" }>,
  path: FieldPath,
  schema: z.ZodType,
  input: unknown,
  out: Converted[],
): void {
  const rootTypeMismatch = (branch: readonly ZodIssue[]): boolean =>
    branch.length === 1 && branch[0]?.code === "invalid_type" && branch[0].path.length === 0;
  const candidates = issue.errors.filter((b) => !rootTypeMismatch(b));
  if (candidates.length === 0) {
    out.push({
      code: "invalid-type",
      path,
      message: `${issue.message}; got ${describe(valueAt(input, path))}`,
    });
    return;
  }
  const best = candidates.reduce((a, b) => (b.length < a.length ? b : a));
  for (const sub of best) convert(sub, path, schema, input, out);
}

function rangeMessage(issue: Extract<ZodIssue, { code: "too_small" | "too_big" }>, value: unknown): string {
  const small = issue.code === "too_small";
  const limit = small ? issue.minimum : issue.maximum;
  const inclusive = issue.inclusive !== false;
  switch (issue.origin) {
    case "string":
      return small && Number(limit) === 1
        ? "must not be empty"
        : `must be at ${small ? "least" : "most"} ${limit} characters`;
    case "array":
      return `must have at ${small ? "least" : "most"} ${limit} item${Number(limit) === 1 ? "" : "s"}`;
    default: {
      const op = small ? (inclusive ? ">=" : ">") : inclusive ? "<=" : "<";
      return `must be ${op} ${limit}, got ${describe(value)}`;
    }
  }
}

export function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "number" && !Number.isFinite(value)) return `${value} (not a finite number)`;
  if (value === null) return "null (an empty value)";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return JSON.stringify(value);
  return `${typeof value} ${JSON.stringify(value)}`;
}

function notFinite(value: number, expected: string): string {
  const read = Number.isNaN(value) ? "NaN" : value > 0 ? "infinity" : "minus infinity";
  const fix =
    expected === "string"
      ? "quote it to make it text"
      : "write a finite number (JSON and DataRobot carry no others)";
  return `not a finite number (YAML reads this value as ${read}); ${fix}`;
}

/** The value at `path`, own properties only (a field named `toString` is not the prototype's). */
export function valueAt(input: unknown, path: FieldPath): unknown {
  let cur = input;
  for (const segment of path) {
    if (cur === null || typeof cur !== "object" || !Object.hasOwn(cur, segment)) return undefined;
    cur = (cur as Record<string | number, unknown>)[segment];
  }
  return cur;
}

/** The field names an object schema accepts at `path` (all union branches pooled): hint material. */
export function knownKeysAt(schema: z.ZodType, path: FieldPath): string[] {
  const keys = new Set<string>();
  visit(schema, 0);
  return [...keys].sort();

  function visit(s: z.ZodType, depth: number): void {
    if (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault) {
      visit(s.unwrap() as z.ZodType, depth);
    } else if (s instanceof z.ZodPipe) {
      visit(s.in as z.ZodType, depth);
    } else if (s instanceof z.ZodUnion) {
      for (const option of s.options) visit(option as z.ZodType, depth);
    } else if (depth === path.length) {
      if (s instanceof z.ZodObject) for (const key of Object.keys(s.shape)) keys.add(key);
    } else if (s instanceof z.ZodObject) {
      const child = (s.shape as Record<string, z.ZodType | undefined>)[String(path[depth])];
      if (child) visit(child, depth + 1);
    } else if (s instanceof z.ZodArray) {
      visit(s.element as z.ZodType, depth + 1);
    } else if (s instanceof z.ZodRecord) {
      visit(s.valueType as z.ZodType, depth + 1);
    }
  }
}

/** Parses `input`, returning typed data or our issues; never throws on bad input. */
export function parseWith<S extends z.ZodType>(
  schema: S,
  input: unknown,
): { data: z.output<S>; issues: [] } | { data: undefined; issues: PendingIssue[] } {
  const result = schema.safeParse(input);
  if (result.success) return { data: result.data, issues: [] };
  return { data: undefined, issues: fromZodError(result.error, schema, input) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
