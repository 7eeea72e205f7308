import { z } from "zod";
import { DigestSchema } from "../spec/digest.js";
import { TestOutcomeSchema } from "./action.js";

/**
 * The ownership trailer drgitops appends to descriptions (DESIGN.md §4–§6): models, model versions,
 * environments and environment versions carry it. It is a cache of what drgitops last did, never the
 * truth: every decision built on it has a fallback that does not need it.
 */

const singleLine = z.string().regex(/^[^\r\n]*\S[^\r\n]*$/, "a trailer value is one non-blank line");

export const TrailerSchema = z.object({
  /** Key of the owning manifest (`<namespace>/<name>`). */
  key: singleLine,
  /** Version fingerprint (versions) or docker-context digest (environment versions). */
  fingerprint: DigestSchema.optional(),
  /** Short commit the version was applied from. */
  commit: z
    .string()
    .regex(/^[0-9a-zA-Z._-]+$/)
    .optional(),
  /** Outcome of the latest test of this version and the digest of the test configuration it ran with. */
  test: z.object({ outcome: TestOutcomeSchema, configDigest: DigestSchema }).optional(),
  /** Models only: never pruned, even after the manifest is removed. */
  protected: z.boolean().optional(),
  /** Models and environments: digest of the managed fields as last applied (tells drift from edits). */
  applied: DigestSchema.optional(),
  /**
   * Environments only: a version made outside drgitops and adopted by `drgitops import --environment`
   * as the build of the docker context whose digest is `fingerprint` (environment versions cannot be
   * annotated: API.md §4 has no PATCH for them).
   */
  adoptedVersion: z
    .string()
    .regex(/^[0-9A-Za-z._-]+$/)
    .optional(),
});
export type Trailer = z.infer<typeof TrailerSchema>;

const MANAGED_BY = "Managed-By: drgitops";

/** Trailer lines in their fixed order; parse accepts any order but format always writes this one. */
const FIELDS = [
  ["Drgitops-Key", "key"],
  ["Drgitops-Fingerprint", "fingerprint"],
  ["Drgitops-Commit", "commit"],
  ["Drgitops-Test", "test"],
  ["Drgitops-Protected", "protected"],
  ["Drgitops-Applied", "applied"],
  ["Drgitops-Adopted-Version", "adoptedVersion"],
] as const;
const LABELS = new Map<string, (typeof FIELDS)[number][1]>(FIELDS.map(([label, field]) => [label, field]));

/** The trailer block alone, one `Label: value` line per present field. */
export function formatTrailer(trailer: Trailer): string {
  const lines = [MANAGED_BY];
  for (const [label, field] of FIELDS) {
    const value = trailer[field];
    if (value === undefined || value === false) continue;
    const text = typeof value === "object" ? `${value.outcome} ${value.configDigest}` : String(value);
    lines.push(`${label}: ${text}`);
  }
  return lines.join("\n");
}

/** `body` followed by a blank line and the trailer; trailing whitespace of the body is not kept. */
export function withTrailer(body: string, trailer: Trailer): string {
  const trimmed = body.trimEnd();
  return trimmed === "" ? formatTrailer(trailer) : `${trimmed}\n\n${formatTrailer(trailer)}`;
}

export interface ParsedDescription {
  /** The description without the trailer (and without trailing whitespace): what users wrote. */
  body: string;
  /** null when the description has no well-formed drgitops trailer. */
  trailer: Trailer | null;
}

/**
 * Splits a description into body and trailer. The trailer is the last `Managed-By: drgitops` line
 * followed only by known `Drgitops-*` lines; anything else (a malformed or foreign block) leaves the
 * description whole, so a user's text can never be mistaken for ownership.
 */
export function parseDescription(description: string): ParsedDescription {
  const lines = description.replace(/\s+$/, "").split(/\r?\n/);
  for (let start = lines.length - 1; start >= 0; start--) {
    if (lines[start] !== MANAGED_BY) continue;
    const trailer = parseTrailerLines(lines.slice(start + 1));
    if (trailer === null) return { body: description.trimEnd(), trailer: null };
    return { body: lines.slice(0, start).join("\n").trimEnd(), trailer };
  }
  return { body: description.trimEnd(), trailer: null };
}

/** The description as users wrote it: what model-level comparisons look at. */
export function stripTrailer(description: string): string {
  return parseDescription(description).body;
}

function parseTrailerLines(lines: string[]): Trailer | null {
  const raw: Record<string, unknown> = {};
  for (const line of lines) {
    const match = /^([A-Za-z-]+): (.*)$/.exec(line);
    const field = match ? LABELS.get(match[1]!) : undefined;
    if (!match || !field || field in raw) return null;
    const value = match[2]!;
    if (field === "test") {
      const [outcome, configDigest, ...rest] = value.split(" ");
      if (rest.length > 0) return null;
      raw.test = { outcome, configDigest };
    } else if (field === "protected") {
      if (value !== "true" && value !== "false") return null;
      raw.protected = value === "true";
    } else {
      raw[field] = value;
    }
  }
  const parsed = TrailerSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}
