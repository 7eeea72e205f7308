import { HttpError } from "./errors.js";

/** JSON-encoded structured fields (multipart, TF's JSON form); their decoded content is checked too. */
const STRUCTURED_FIELD_LIMIT = 256 * 1024;

/**
 * The longest text accepted per field name, in characters (API.md §2.9, §4.1, §4.2 give name 1-255,
 * description ≤ 10000, label ≤ 50; the rest are emulator choices). Nested fields use their own key
 * (`tags.0.name` is a name), array items their array's (`classLabels.1`).
 */
export const TEXT_LIMITS: Readonly<Record<string, number>> = {
  description: 10_000,
  label: 50,
  name: 255,
  language: 255,
  targetName: 255,
  positiveClassLabel: 255,
  negativeClassLabel: 255,
  classLabels: 255,
  userProvidedId: 255,
  fieldName: 255,
  displayName: 255,
  partitionColumn: 255,
  categories: 255,
  credentialType: 255,
  refName: 255,
  mainBranchCommitSha: 255,
  pullRequestCommitSha: 255,
  filePath: 1024,
  fileName: 1024,
  commitUrl: 2048,
  dockerImageUri: 2048,
  runtimeParameterValues: STRUCTURED_FIELD_LIMIT,
  requiredMetadataValues: STRUCTURED_FIELD_LIMIT,
  requiredMetadata: STRUCTURED_FIELD_LIMIT,
  trainingData: STRUCTURED_FIELD_LIMIT,
  holdoutData: STRUCTURED_FIELD_LIMIT,
  gitModelVersion: STRUCTURED_FIELD_LIMIT,
};

/** Any other text field: secrets, values, ids. */
export const DEFAULT_TEXT_LIMIT = 10_000;

/** The largest limit above: no single text field of a request may be longer. */
export const MAX_TEXT_LIMIT = Math.max(DEFAULT_TEXT_LIMIT, ...Object.values(TEXT_LIMITS));

// A surrogate half without its partner: not a character, so not storable text (JSON "\ud800").
const LONE_SURROGATE = /\p{Cs}/u;

/** The limit of a field path: its last segment that is not an array index. */
function limitOf(path: string): number {
  const key = path
    .split(".")
    .reverse()
    .find((s) => !/^\d+$/.test(s));
  return (key !== undefined ? TEXT_LIMITS[key] : undefined) ?? DEFAULT_TEXT_LIMIT;
}

/** Characters (code points) beyond `max`, counted only as far as needed; 0 when within it. */
function excess(text: string, max: number): number {
  if (text.length <= max) return 0;
  let n = 0;
  for (const _ of text) n += 1;
  return Math.max(0, n - max);
}

/**
 * 422 naming `field` unless `text` is well-formed (no lone UTF-16 surrogate) and within the limit of
 * `limitKey` (default: the field's own name). The one check every free-text value passes through.
 */
export function checkText(text: string, field: string, limitKey: string = field): void {
  const shown = field === "" ? "body" : field;
  if (LONE_SURROGATE.test(text)) {
    const message = `${shown} is invalid text: it contains a lone UTF-16 surrogate`;
    throw new HttpError(422, message, { [shown]: message });
  }
  const max = limitOf(limitKey);
  const over = excess(text, max);
  if (over > 0) {
    const message = `${shown} must be at most ${max} characters (it has ${max + over})`;
    throw new HttpError(422, message, { [shown]: message });
  }
}

/** Runs checkText on every string and key of a decoded JSON value; `path` prefixes field names. */
export function checkJsonText(value: unknown, path = ""): void {
  // Iterative: a deeply nested body must not overflow the stack.
  const pending: [unknown, string][] = [[value, path]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [v, at] = next;
    if (typeof v === "string") checkText(v, at);
    else if (Array.isArray(v)) v.forEach((item, i) => pending.push([item, join(at, String(i))]));
    else if (typeof v === "object" && v !== null) {
      for (const [key, item] of Object.entries(v)) {
        checkText(key, at, "name");
        pending.push([item, join(at, key)]);
      }
    }
  }
}

const join = (path: string, key: string): string => (path === "" ? key : `${path}.${key}`);
