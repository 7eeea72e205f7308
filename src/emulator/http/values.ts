import { HttpError, invalid } from "./errors.js";
import { checkJsonText } from "./text-limits.js";

/**
 * Tolerant readers for request values (API.md §0.9): booleans as true/false (any case) or 1/0,
 * multipart "None" or "" meaning "use the default", JSON strings or decoded objects.
 */
export function parseBoolean(value: unknown, field: string): boolean | undefined {
  if (value === undefined || value === null || value === "" || value === "None") return undefined;
  if (typeof value === "boolean") return value;
  if (typeof value === "string") {
    const v = value.toLowerCase();
    if (v === "true" || v === "1") return true;
    if (v === "false" || v === "0") return false;
  }
  if (value === 1) return true;
  if (value === 0) return false;
  throw invalid(field, `${field} must be a boolean, got ${describe(value)}`);
}

/**
 * A JSON-encoded structured field: a JSON string, or an already decoded object/array. Its decoded
 * strings pass the same text checks as a JSON body's (`gitModelVersion.refName`).
 */
export function parseJsonField(value: unknown, field: string): unknown {
  if (value === undefined || value === "" || value === "None") return undefined;
  if (typeof value !== "string") return value;
  let decoded: unknown;
  try {
    decoded = JSON.parse(value) as unknown;
  } catch {
    throw invalid(field, `${field} must be valid JSON`);
  }
  checkJsonText(decoded, field);
  return decoded;
}

/** An integer from a JSON number or a decimal string; `min` is inclusive. */
export function parseInteger(value: unknown, field: string, min: number): number | null | undefined {
  if (value === undefined || value === "" || value === "None") return undefined;
  if (value === null) return null;
  const n =
    typeof value === "number"
      ? value
      : typeof value === "string" && /^-?\d+$/.test(value.trim())
        ? Number(value)
        : NaN;
  if (!Number.isInteger(n)) throw invalid(field, `${field} must be an integer, got ${describe(value)}`);
  if (n < min) throw invalid(field, `${field} must be at least ${min}, got ${n}`);
  return n;
}

export function parseEnum<T extends string>(
  value: unknown,
  field: string,
  allowed: readonly T[],
): T | null | undefined {
  if (value === undefined || value === "" || value === "None") return undefined;
  if (value === null) return null;
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  throw invalid(field, `${field} must be one of ${allowed.join(", ")}, got ${describe(value)}`);
}

export function parseString(value: unknown, field: string): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  if (typeof value === "string") return value;
  throw invalid(field, `${field} must be a string, got ${describe(value)}`);
}

/** Repeated or comma-separated query values (tagKeys, deployment filters...). */
export function listParam(q: URLSearchParams, name: string): string[] {
  return q
    .getAll(name)
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter((v) => v !== "");
}

/** The JSON body as an object; absent, empty or `null` bodies are `{}` (API.md §0.9 rule 2). */
export function jsonBody(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body === "object" && !Array.isArray(body)) return body as Record<string, unknown>;
  throw new HttpError(422, "The request body must be a JSON object");
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
